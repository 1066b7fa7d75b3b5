/* demo_conf: conf/demo.conf, the config of `warder run demo` (make run), built into the binary.
 * Keep the two identical: tests/integration/run_demo.sh compares `warder run --demo-config` with the file. */

const char demo_conf[] =
	"; The demo jail of `make run` (`warder run demo`; `warder run --demo-config` prints this text).\n"
	"; @ROOTFS@ is $WARDER_DEMO_ROOTFS, else build/demo-rootfs under the current directory (tests/mkrootfs.sh builds\n"
	"; it). Every step says where it runs; inside, the command shows PID 1, the hostname, /dev and ps, then exits 0,\n"
	"; which stops the jail.\n"
	"[demo]\n"
	"path = @ROOTFS@\n"
	"unshare = mount,pid,uts,ipc,net\n"
	"host.hostname = demo.warder\n"
	"mount.procfs = true\n"
	"mount.devfs = true\n"
	"devfs_ruleset = 4\n"
	"stop.timeout = 2\n"
	"exec.prepare = echo \"demo: exec.prepare   (host) the rootfs is ${path}\"\n"
	"exec.prestart = echo \"demo: exec.prestart  (host) before the jail exists\"\n"
	"exec.created = 'echo \"demo: exec.created   (host) the init of the jail is pid $WARDER_JID\"'\n"
	"exec.jailed = echo \"demo: exec.jailed    (jail) new namespaces, the host's root still visible\"\n"
	"exec.start = 'echo \"demo: exec.start     (jail) hostname $(hostname), in $(pwd)\"'\n"
	"command = 'echo \"demo: command        PID 1 is $(cat /proc/1/comm), hostname $(hostname)\"; echo \"demo: ls /dev:\" $(ls /dev); echo \"demo: ps:\"; ps'\n"
	"exec.poststart = echo \"demo: exec.poststart (host) the command is running\"\n"
	"exec.prestop = echo \"demo: exec.prestop   (host) stopping\"\n"
	"exec.stop = echo \"demo: exec.stop      (jail) last words inside\"\n"
	"exec.poststop = echo \"demo: exec.poststop  (host) the jail is gone\"\n"
	"exec.release = echo \"demo: exec.release   (host) done\"\n";
