/* The namespace table: unshare's words, /proc file names, clone flags and the join order, from one place. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "ns.h"
#include "t.h"

TEST(table_names_and_flags)
{
	CHECK_STR(ns_table[NS_MOUNT].name, "mount");
	CHECK_STR(ns_table[NS_MOUNT].proc, "mnt");
	CHECK_INT(ns_table[NS_MOUNT].clone_flag, CLONE_NEWNS);
	CHECK_INT(ns_table[NS_USER].clone_flag, CLONE_NEWUSER);
	CHECK_INT(ns_table[NS_TIME].clone_flag, CLONE_NEWTIME);
	for (int i = 0; i < NS_COUNT; i++) {
		CHECK_INT(ns_find(ns_table[i].name), i);
		for (int k = i + 1; k < NS_COUNT; k++)
			CHECK(ns_table[i].clone_flag != ns_table[k].clone_flag);
	}
	CHECK_INT(ns_find("fs"), NS_MOUNT);
	CHECK_INT(ns_find("mnt"), -1); /* a /proc name, not a word unshare takes */
	CHECK_INT(ns_find("network"), -1);
}

TEST(list_parses_unshare)
{
	CHECK_INT(ns_list(NULL), 0);
	CHECK_INT(ns_list("mount,pid,uts"), NS_BIT(NS_MOUNT) | NS_BIT(NS_PID) | NS_BIT(NS_UTS));
	CHECK_INT(ns_list("fs, user"), NS_BIT(NS_MOUNT) | NS_BIT(NS_USER));
	CHECK_INT(ns_clone_flags(ns_list("net,ipc")), CLONE_NEWNET | CLONE_NEWIPC);
	CHECK_INT(ns_clone_flags(0), 0);
}

TEST(join_order_is_a_permutation)
{
	unsigned seen = 0;
	for (int i = 0; i < NS_COUNT; i++)
		seen |= NS_BIT(ns_join_order[i]);
	CHECK_INT(seen, NS_BIT(NS_COUNT) - 1);
	CHECK_INT(ns_join_order[0], NS_USER);
	CHECK_INT(ns_join_order[NS_COUNT - 1], NS_MOUNT);
}

int main(void)
{
	RUN(table_names_and_flags);
	RUN(list_parses_unshare);
	RUN(join_order_is_a_permutation);
	return T_DONE();
}
