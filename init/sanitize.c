/* Sanitizer builds only: LeakSanitizer's exit-time scan stops the world through a helper that it cannot run
 * from a pid namespace's PID 1 or right after setns() into one, and hangs there. Those processes skip the
 * scan; the keeper and the entrypoint (not PID 1) keep it. ASan and UBSan check everything regardless. */
#if defined(__SANITIZE_ADDRESS__)
#include <string.h>
#include <unistd.h>

int __lsan_is_turned_off(void);

int __lsan_is_turned_off(void)
{
	char a[64] = "", b[64] = "";
	if (getpid() == 1)
		return 1;
	/* After setns() into a jail's mount namespace /proc is the jail's, where we have no /proc/self: that is
	 * the setns case too. */
	if (readlink("/proc/self/ns/pid", a, sizeof a - 1) < 0 ||
	    readlink("/proc/self/ns/pid_for_children", b, sizeof b - 1) < 0)
		return 1;
	return strcmp(a, b) != 0;
}
#else
typedef int warder_sanitize_unused;
#endif
