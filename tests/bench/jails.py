#!/usr/bin/env python3
"""N jails at once: start N sandboxes (each runs `sleep`) together, wait until all N sleeps run, measure the host
memory of each sandbox's own processes (the runner and its descendants, the sleep left out), SIGTERM every
runner, wait until all are gone and no sleep is left. ROUNDS rounds (default 3), warder and bwrap in turn (A B,
B A, ...: the machine's drift hits both runs of a round alike). Prints one line per runner, medians over the
rounds:
    N NAME up_ms stop_ms rss_kib_per_jail pss_kib_per_jail left uss_kib_per_jail
then lines of ratios taken round by round (warder / bwrap, / the floor, / the floor with warder's mounts: jailfloor
-i and -i -w), tab-separated as run.sh's pair rows:
    pair LABEL A_MS B_MS MIN MEDIAN MAX TARGET
usage: jails.py N WARDER ROOTFS TMPDIR [ROUNDS [JAILFLOOR [CGROUP]]]
rss: VmRSS summed over a sandbox's processes (warder: keeper + init; bwrap: its two processes), per jail; pss:
the same as proportional set size (shared pages split between the processes that map them): the host memory
N jails really cost; uss: the pages only that sandbox's own processes map (Private_Clean + Private_Dirty), what
stopping one jail gives back. left: sleeps or runner processes still there after the stop, the most of any
round (must be 0)."""
import os, select, signal, statistics, subprocess, sys, time

n, warder, rootfs, tmp = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
floor = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] else None
cgroup = sys.argv[7] if len(sys.argv) > 7 and sys.argv[7] else None
MARK = "86313"  # an odd sleep length, to tell our sleeps from anyone else's


def children(pid):
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree(pid):
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += children(p)
    return seen


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def mem(pid):
    rss = pss = uss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                    uss += int(line.split()[1])
    except OSError:
        pass
    return rss, pss, uss


def sleeps(procs):
    return sum(1 for p in procs for q in tree(p.pid) if comm(q) == "sleep")


def run(name, argv_of):
    t0 = time.monotonic()
    procs = [subprocess.Popen(argv_of(i), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for i in range(n)]
    deadline = t0 + 120
    while sleeps(procs) < n:
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            for p in procs:
                p.kill()
            return None
        time.sleep(0.01)
    t1 = time.monotonic()
    rss = pss = uss = 0
    sleeping = []
    for p in procs:
        for q in tree(p.pid):
            if comm(q) == "sleep":
                sleeping.append(q)
            else:
                r, s, u = mem(q)
                rss, pss, uss = rss + r, pss + s, uss + u
    # The stop ends when the last runner and the last sleep have exited, seen through pidfds polled together:
    # Popen.wait(timeout) polls with a doubling sleep (0.5, 1, 2, 4 ... ms), which would round a 10 ms stop
    # up to 15.5 ms and a 2 ms one to 3.5.
    fds = []
    for q in [p.pid for p in procs] + sleeping:
        try:
            fds.append(os.pidfd_open(q))
        except OSError:
            pass
    t2 = time.monotonic()
    for p in procs:
        p.send_signal(signal.SIGTERM)
    poll = select.poll()
    for fd in fds:
        poll.register(fd, select.POLLIN)
    todo = len(fds)
    while todo and time.monotonic() < t2 + 60:
        for fd, _ in poll.poll(1000):
            poll.unregister(fd)
            todo -= 1
    t3 = time.monotonic()
    for fd in fds:
        os.close(fd)
    for p in procs:
        try:
            p.wait(timeout=max(0.1, t2 + 60 - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    left = 0
    while True:
        left = sum(1 for d in os.listdir("/proc") if d.isdigit() and comm(d) == "sleep" and marked(d))
        if left == 0 or time.monotonic() > t2 + 30:
            break
        time.sleep(0.01)
    return ((t1 - t0) * 1e3, (t3 - t2) * 1e3, rss / n, pss / n, left, uss / n)


def marked(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")[1:2] == [MARK.encode()]
    except OSError:
        return False


conf = os.path.join(tmp, f"jails{n}.conf")
with open(conf, "w") as f:
    for i in range(n):
        f.write(f"[wbench{i}]\npath = {rootfs}\nunshare = mount,pid,uts,ipc,net\nmount.procfs = true\n"
                f"mount.devfs = true\nrestart = no\ncommand = /bin/sleep {MARK}\n")
os.environ["WARDER_RUNDIR"] = os.path.join(tmp, f"run{n}")
argv = {
    "warder": lambda i: [warder, "run", "-q", "-c", conf, f"wbench{i}"],
    "bwrap": lambda i: ["bwrap", "--unshare-all", "--die-with-parent", "--bind", rootfs, "/", "--proc", "/proc",
                        "--dev", "/dev", "/bin/sleep", MARK],
}
names = ["warder", "bwrap"]
if floor:
    cg = (lambda i: ["-c", f"{cgroup}/warder-bench-jails-{os.getpid()}-{i}"]) if cgroup else (lambda i: [])
    argv["floor"] = lambda i: [floor] + cg(i) + ["-i", rootfs, "/bin/sleep", MARK]
    argv["floor-w"] = lambda i: [floor] + cg(i) + ["-i", "-w", rootfs, "/bin/sleep", MARK]
    names += ["floor", "floor-w"]
res = {name: [] for name in names}
for r in range(rounds):
    for name in (names if r % 2 == 0 else names[1::-1] + names[2:]):
        res[name].append(run(name, argv[name]))
for name in names:
    got = [x for x in res[name] if x]
    if len(got) < len(res[name]):
        print(f"{n} {name} failed - - - - -")
        continue
    med = [statistics.median(x[k] for x in got) for k in range(6)]
    print(f"{n} {name} {med[0]:.0f} {med[1]:.0f} {med[2]:.0f} {med[3]:.0f} {max(x[4] for x in got)} {med[5]:.0f}")
for other, label, target in (("bwrap", "bwrap", "< 1"), ("floor", "the floor (jailfloor -i)", ""),
                             ("floor-w", "the floor with warder's mounts (jailfloor -i -w)", "")):
    if other not in res or not all(res["warder"]) or not all(res[other]):
        continue
    for k, what in ((0, "up"), (1, "stopped")):
        ratios = [w[k] / o[k] for w, o in zip(res["warder"], res[other])]
        a = statistics.median(w[k] for w in res["warder"])
        b = statistics.median(o[k] for o in res[other])
        print("\t".join(["pair", f"{n} jails at once, all {what}: warder run / {label} ({rounds} rounds)",
                         f"{a:.0f}", f"{b:.0f}", f"{min(ratios):.3f}", f"{statistics.median(ratios):.3f}",
                         f"{max(ratios):.3f}", target]))
