#!/usr/bin/env python3
"""notify_listen.py SOCKET OUT: a stand-in for systemd's end of NOTIFY_SOCKET. Binds a datagram socket at
SOCKET and appends each message to OUT as one line, its assignments joined by '|'. Ends on SIGTERM or after
300 s, removing SOCKET."""
import os, signal, socket, sys, time

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
signal.signal(signal.SIGTERM, lambda *_: (os.unlink(path), sys.exit(0)))
open(out, 'w').close()
s.settimeout(1)
deadline = time.time() + 300
while time.time() < deadline:
    try:
        msg = s.recv(4096)
    except socket.timeout:
        continue
    with open(out, 'a') as f:
        f.write('|'.join(msg.decode(errors='replace').split('\n')) + '\n')
os.unlink(path)
