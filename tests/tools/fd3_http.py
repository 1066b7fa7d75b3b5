#!/usr/bin/env python3
"""fd3_http: an http.server that serves on the sockets warder passes (systemd's LISTEN_FDS convention),
one request at a time, and stops gracefully on SIGTERM (the request in hand is answered first).
The answer: "TAG pid=N listen_pid=N fds=N names=A:B probe=RESULT". PROBE=HOST:PORT in the environment makes
it try an outgoing connection first (probe=ok or the error): a jail with its own empty network namespace
cannot reach anything, while it still serves the host through the passed socket."""
import http.server, os, signal, socket, sys

tag = sys.argv[1] if len(sys.argv) > 1 else "fd3"
stop = False


def term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, term)
if os.environ.get("LISTEN_PID") != str(os.getpid()):
    sys.exit("fd3_http: LISTEN_PID is %r, we are %d" % (os.environ.get("LISTEN_PID"), os.getpid()))
nfds = int(os.environ["LISTEN_FDS"])
probe = "none"
if os.environ.get("PROBE"):
    host, port = os.environ["PROBE"].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
        probe = "ok"
    except OSError as e:
        probe = type(e).__name__
info = "%s pid=%d listen_pid=%s fds=%d names=%s probe=%s\n" % (
    tag, os.getpid(), os.environ["LISTEN_PID"], nfds, os.environ.get("LISTEN_FDNAMES", ""), probe)


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = info.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class FdServer(http.server.HTTPServer):
    def __init__(self, fd):
        http.server.HTTPServer.__init__(self, ("", 0), H, bind_and_activate=False)
        self.socket = socket.socket(fileno=fd)
        self.timeout = 0.1


servers = [FdServer(3 + i) for i in range(nfds) if socket.socket(fileno=os.dup(3 + i)).type == socket.SOCK_STREAM]
while not stop:
    for s in servers:
        s.handle_request()
