#!/usr/bin/env python3
"""A forward proxy on 127.0.0.1 for the tests: plain HTTP requests in absolute form are forwarded,
CONNECT opens a tunnel (for HTTPS). Every request is logged as one JSON line (method, target), so a
test can see that a client went through the proxy. Prints "PORT n" first; exits when stdin closes
with --exit-on-stdin-eof."""
import argparse
import json
import os
import select
import socket
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    lock = threading.Lock()

    def log(method, target):
        with lock, open(args.log, "a") as f:
            f.write(json.dumps({"method": method, "target": target}) + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_CONNECT(self):
            log("CONNECT", self.path)
            _, _, port = self.path.rpartition(":")
            # Like forward(): the tests' host names all mean the local server on that port.
            upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
            self.send_response(200, "Connection established")
            self.end_headers()
            sockets = [self.connection, upstream]
            while True:
                ready, _, _ = select.select(sockets, [], [], 10)
                if not ready:
                    break
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        upstream.close()
                        return
                    (upstream if s is self.connection else self.connection).sendall(data)

        def forward(self):
            log(self.command, self.path)
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            # The tests' proxied host names all mean the local server on the URL's port.
            upstream = socket.create_connection(("127.0.0.1", url.port or 80), timeout=30)
            path = url.path + ("?" + url.query if url.query else "")
            lines = ["%s %s HTTP/1.1" % (self.command, path)]
            for key, value in self.headers.items():
                if key.lower() not in ("proxy-connection", "connection"):
                    lines.append("%s: %s" % (key, value))
            lines.append("Connection: close")
            upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            response = b""
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                response += chunk
            upstream.close()
            self.connection.sendall(response)
            self.close_connection = True

        do_GET = do_POST = forward

    if args.exit_on_stdin_eof:
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
