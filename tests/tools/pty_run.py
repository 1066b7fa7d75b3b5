#!/usr/bin/env python3
"""pty_run.py [--stop-cont | --intr-when FILE] CMD...: run CMD on a new pseudo-terminal (as its session leader
and foreground job) and print what it wrote, then "exit=N". With --stop-cont, wait 0.5s, print "state=X"
(the process state letter of CMD), send it SIGCONT, and go on reading. For job-control tests. With
--intr-when FILE, type the terminal's interrupt character (^C) once FILE exists."""
import os, pty, select, signal, sys, time

args = sys.argv[1:]
stop_cont = args[:1] == ['--stop-cont']
if stop_cont:
    args = args[1:]
intr_when = None
if args[:1] == ['--intr-when']:
    intr_when, args = args[1], args[2:]
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
    if intr_when and os.path.exists(intr_when):
        os.write(fd, b'\x03')
        intr_when = None
    if intr_when:
        if not select.select([fd], [], [], 0.05)[0]:
            continue
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
