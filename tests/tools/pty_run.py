#!/usr/bin/env python3
"""pty_run.py [--stop-cont] CMD...: run CMD on a new pseudo-terminal (as its session leader and foreground
job) and print what it wrote, then "exit=N". With --stop-cont, wait 0.5s, print "state=X" (the process
state letter of CMD), send it SIGCONT, and go on reading. For job-control tests."""
import os, pty, signal, sys, time

args = sys.argv[1:]
stop_cont = args[:1] == ['--stop-cont']
if stop_cont:
    args = args[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
if stop_cont:
    time.sleep(0.5)
    with open('/proc/%d/stat' % pid) as f:
        print('state=' + f.read().rsplit(')', 1)[1].split()[0])
    os.kill(pid, signal.SIGCONT)
out = b''
deadline = time.time() + 10
while time.time() < deadline:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace').replace('\r', ''))
print('exit=%d' % os.waitstatus_to_exitcode(status))
