#!/usr/bin/env python3
"""hammer: a bounded client loop against a socket warder holds. Usage:
  hammer.py ADDR COUNT DEADLINE_SECS [STOPFILE]
ADDR is HOST:PORT or a unix socket path. Sends COUNT HTTP requests one after the other (or until STOPFILE
exists, or the deadline passes), each on a new connection, and prints one line:
  sent N answered N refused N retried N slowest SECONDS
A refused connection (ECONNREFUSED, ENOENT) is counted and not retried: that is what warder must prevent.
A connection that was accepted and then dropped without an answer (the server was SIGKILLed in the middle of
it) is retried on a new connection and counted as retried; a graceful stop must leave that at 0 too."""
import errno, os, socket, sys, time

addr, count, deadline = sys.argv[1], int(sys.argv[2]), time.monotonic() + float(sys.argv[3])
stopfile = sys.argv[4] if len(sys.argv) > 4 else None
sent = answered = refused = retried = 0
slowest = 0.0


def connect():
    if addr.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(max(1.0, deadline - time.monotonic()))
        s.connect(addr)
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host.strip("[]"), int(port)), timeout=max(1.0, deadline - time.monotonic()))
    return s


def one():
    """True: answered; False: refused; None: dropped mid-request."""
    try:
        s = connect()
    except OSError as e:
        if e.errno in (errno.ECONNREFUSED, errno.ENOENT):
            return False
        raise
    try:
        s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except (ConnectionResetError, BrokenPipeError):
        return None
    finally:
        s.close()
    return data.startswith(b"HTTP/1.") and b" 200 " in data.split(b"\r\n", 1)[0] or None


while sent < count and time.monotonic() < deadline:
    if stopfile and os.path.exists(stopfile):
        break
    sent += 1
    t0 = time.monotonic()
    for attempt in range(5):
        r = one()
        if r is None:
            retried += 1
            continue
        break
    slowest = max(slowest, time.monotonic() - t0)
    if r:
        answered += 1
    elif r is False:
        refused += 1
print("sent %d answered %d refused %d retried %d slowest %.3fs" % (sent, answered, refused, retried, slowest), flush=True)
