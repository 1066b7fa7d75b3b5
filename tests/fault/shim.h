/* The fault shim's shared state: one page, mapped MAP_SHARED from the file $WARDER_FAULT_COUNT (or anonymous
 * when unset), so the keeper, the init and every forked child count into the same counters. */
#ifndef WARDER_FAULT_SHIM_H
#define WARDER_FAULT_SHIM_H

#include <stdint.h>

/* An X-macro list reads best as rows, and clang-format 14 does not settle on one layout for it. */
/* clang-format off */
#define FAULT_KINDS(X) \
	X(mount) X(umount2) X(clone) X(pivot_root) X(unshare) X(setns) X(idmap_write) X(cgroup_write) \
	X(cgroup_mkdir) X(fork) X(execve) X(openat2) X(move_mount) X(fsmount) X(open_tree) X(fsopen) \
	X(socketpair)
/* clang-format on */

#define FAULT_ENUM(k) FK_##k,
enum fault_kind { FAULT_KINDS(FAULT_ENUM) FK_COUNT };

/* Who made the call: the process that first loaded the shim (the keeper, or the entrypoint), PID 1 of a new
 * pid namespace (the jail's init), or any other (forked children before exec, exec'd host hooks). */
enum fault_role { FR_FIRST, FR_INIT, FR_OTHER, FR_COUNT };

#define FAULT_MAGIC 0x77666c74u /* "wflt" */
struct fault_state {
	uint32_t magic;
	int32_t first_pid;
	uint32_t total[FK_COUNT]; /* every call of each kind, all processes: what N counts */
	uint32_t by_role[FR_COUNT][FK_COUNT];
	uint32_t injected; /* how many faults were injected (0 or 1) */
	int32_t injected_pid;
	uint32_t injected_role;
};

#endif
