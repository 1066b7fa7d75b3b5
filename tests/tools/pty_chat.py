#!/usr/bin/env python3
"""pty_chat.py [--raw] [EXPECT SEND]... -- CMD...: run CMD on a new pseudo-terminal (its session leader, as a
shell would start a job), wait for each EXPECT in what it writes and type SEND (Python escapes: \\x03 is
Ctrl-C, \\x1a Ctrl-Z), then read to the end. Prints what CMD wrote and "exit=N"; "timeout" when an EXPECT
never came (30 s in all). --raw: type only once CMD has put the terminal in raw mode (a container engine's
client relays keys only then; before, the terminal would signal the client itself)."""
import os, pty, select, signal, sys, termios, time

args = sys.argv[1:]
raw = args[:1] == ['--raw']
if raw:
    args = args[1:]
sep = args.index('--')
pairs, cmd = args[:sep], args[sep + 1:]
script = [(pairs[i], pairs[i + 1].encode().decode('unicode_escape').encode('latin-1')) for i in range(0, len(pairs), 2)]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out, seen, deadline = b'', 0, time.time() + 30
while time.time() < deadline:
    if script and script[0][0].encode() in out[seen:] and not (raw and termios.tcgetattr(fd)[3] & termios.ISIG):
        seen = out.index(script[0][0].encode(), seen) + len(script[0][0])
        os.write(fd, script.pop(0)[1])
        continue
    r, _, _ = select.select([fd], [], [], 0.2)
    if not r:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
else:
    os.kill(pid, signal.SIGKILL)
    print('timeout')
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace').replace('\r', ''))
print('exit=%d' % os.waitstatus_to_exitcode(status))
