"""Shared machinery of the gcx fake servers (Python 3 standard library only).

Script file (JSON, --script FILE or env FAKE_SERVER_SCRIPT), every key optional:
  {
    "delay": 0.2,                      # every request takes at least this long (seconds)
    "faults": [                        # first matching fault wins
      {"requests": [1, 2], "kind": "status", "status": 500, "message": "boom"},
      {"requests": [1], "kind": "status", "status": 429, "retry_after": "1"},
      {"requests": [1], "kind": "status", "status": 429, "code": "insufficient_quota"},  # error.code
      {"requests": [1], "kind": "slow", "seconds": 5},      # answer normally, but late
      {"requests": [1], "kind": "drop"},                    # close the connection, no answer
      {"input_contains": "POISON", "kind": "status", "status": 500}, # every request whose body holds it
      {"image_size": [700, 500], "times": 2, "kind": "status", "status": 500}
                                       # requests whose (data-URL) image is 700x500, the first 2 only
    ],
    "captions": ["text", ...],         # openai: k-th chat answer is captions[k % len]
    "captions_jsonl": "FILE",          # openai: same, from {"image":..., "prompt":...} lines
    "caption_text": "text",            # openai: always this answer
    "respond_url": true,               # openai images: answer data[{url}] instead of b64_json
    "echo_key_in_401": true,           # openai: quote the wrong key in full in the 401 message
    "batch": {                         # openai Batch API: how every batch created runs
      "polls": 1,                      #   retrievals that still say in_progress (after validating)
      "outcome": "completed",          #   or "expired", "failed" (validation), "cancelled"
      "fail_lines": [2],               #   input lines (0-based) answered 500 (error file)
      "done_lines": 3                  #   expired/cancelled: how many lines ran before it ended
    }
  }
"requests" counts every request the server receives, from 1, in arrival order.

Log (--log FILE): one JSON line per request, written just before the answer is sent, with n,
t_start (request read), t_end (answer ready; wall clock seconds), method,
path, query, headers (Authorization left out), auth ("ok", "missing", "wrong", "absent", "present"),
content_type, fields (what the body held, images summarised), status, action.
"""

import argparse
import base64
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- PNG

def encode_png(width, height, seed=0):
    """A real RGB PNG of the given size: a horizontal gradient tinted by seed."""
    r0, g0, b0 = (seed * 53) % 256, (seed * 97 + 80) % 256, (seed * 151 + 160) % 256
    row = bytearray(b"\x00")
    for x in range(width):
        v = (x * 255) // max(1, width - 1)
        row += bytes(((r0 + v) % 256, (g0 + v // 2) % 256, b0))
    raw = bytes(row) * height

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b"")


def parse_png(data):
    """(width, height) of a PNG, checking the signature and the IHDR chunk and its CRC.
    Raises ValueError with a reason otherwise."""
    if len(data) < 33 or data[:8] != PNG_SIGNATURE:
        raise ValueError("not a PNG (bad signature)")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise ValueError("PNG does not start with a 13-byte IHDR chunk")
    body = data[12:29]
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(body) & 0xFFFFFFFF != crc:
        raise ValueError("PNG IHDR CRC mismatch")
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", data[16:29])
    if width == 0 or height == 0:
        raise ValueError("PNG has zero width or height")
    if colour not in (0, 2, 3, 4, 6) or depth not in (1, 2, 4, 8, 16):
        raise ValueError("PNG IHDR has an invalid colour type / bit depth")
    if b"IEND" not in data[-12:]:
        raise ValueError("PNG is truncated (no IEND)")
    return width, height


def sniff_image(data):
    """Describes image bytes: {"format", "width", "height"}; raises ValueError when undecodable."""
    if data[:8] == PNG_SIGNATURE:
        w, h = parse_png(data)
        return {"format": "png", "width": w, "height": h, "bytes": len(data)}
    if data[:3] == b"\xff\xd8\xff":
        if data[-2:] != b"\xff\xd9":
            raise ValueError("JPEG is truncated (no EOI)")
        w, h = parse_jpeg_size(data)
        return {"format": "jpeg", "width": w, "height": h, "bytes": len(data)}
    raise ValueError("neither PNG nor JPEG")


def parse_jpeg_size(data):
    """(width, height) from the first SOFn segment; raises ValueError when there is none."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise ValueError("JPEG marker expected at byte %d" % at)
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        length = (data[at + 2] << 8) | data[at + 3]
        if length < 2 or at + 2 + length > len(data):
            raise ValueError("JPEG segment at byte %d is truncated" % at)
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if length < 8:
                raise ValueError("JPEG frame header too short")
            return (data[at + 7] << 8) | data[at + 8], (data[at + 5] << 8) | data[at + 6]
        if marker in (0xDA, 0xD9):
            break
        at += 2 + length
    raise ValueError("JPEG has no frame header")


def data_url_image_size(body):
    """(width, height) of the first base64 data-URL image in a request body, or None."""
    at = body.find(b";base64,")
    if at < 0:
        return None
    start = at + len(b";base64,")
    end = start
    while end < len(body) and body[end:end + 1] not in (b'"', b"'", b"\\"):
        end += 1
    try:
        info = sniff_image(base64.b64decode(body[start:end]))
        return info["width"], info["height"]
    except Exception:
        return None


def strict_b64decode(text):
    try:
        return base64.b64decode(text, validate=True)
    except Exception as exc:  # binascii.Error
        raise ValueError("invalid base64: %s" % exc)


# ---------------------------------------------------------------- multipart

def parse_multipart(content_type, body):
    """Parses multipart/form-data strictly (CRLF framing, Content-Disposition form-data).
    Returns a list of (name, filename or None, part content type or None, bytes)."""
    params = {}
    main, _, rest = content_type.partition(";")
    if main.strip().lower() != "multipart/form-data":
        raise ValueError("Content-Type must be multipart/form-data")
    for item in rest.split(";"):
        if "=" in item:
            k, _, v = item.strip().partition("=")
            params[k.lower()] = v.strip('"')
    boundary = params.get("boundary")
    if not boundary:
        raise ValueError("multipart Content-Type has no boundary")
    delim = b"--" + boundary.encode("latin-1")
    if not body.startswith(delim + b"\r\n"):
        raise ValueError("multipart body does not start with the boundary")
    end = body.rfind(delim + b"--")
    if end < 0:
        raise ValueError("multipart body has no closing boundary")
    if body[end + len(delim) + 2:] not in (b"", b"\r\n"):
        raise ValueError("data after the closing boundary")
    inner = body[len(delim) + 2:end]
    if not inner.endswith(b"\r\n"):
        raise ValueError("last part not terminated by CRLF before the closing boundary")
    parts = []
    for raw in inner[:-2].split(b"\r\n" + delim + b"\r\n"):
        head, sep, content = raw.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part without a header/body separator")
        headers = {}
        for line in head.decode("utf-8").split("\r\n"):
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        disp = headers.get("content-disposition", "")
        if not disp.lower().startswith("form-data"):
            raise ValueError("multipart part without Content-Disposition: form-data")
        name = filename = None
        for item in disp.split(";")[1:]:
            k, _, v = item.strip().partition("=")
            if k == "name":
                name = v.strip('"')
            elif k == "filename":
                filename = v.strip('"')
        if name is None:
            raise ValueError("multipart part without a name")
        parts.append((name, filename, headers.get("content-type"), content))
    return parts


# ---------------------------------------------------------------- server core

class Fault(Exception):
    """Raised by handlers to answer with an error: status, JSON body, extra headers."""

    def __init__(self, status, body, headers=None):
        self.status, self.body, self.headers = status, body, headers or {}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.count = 0
        self.script = {}
        path = args.script or os.environ.get("FAKE_SERVER_SCRIPT")
        if path:
            with open(path) as f:
                self.script = json.load(f)
        self.log_path = args.log or os.environ.get("FAKE_SERVER_LOG")
        self.counters = {}

    def next_number(self):
        with self.lock:
            self.count += 1
            return self.count

    def bump(self, name):
        with self.lock:
            k = self.counters.get(name, 0)
            self.counters[name] = k + 1
            return k

    def fault_for(self, number, body):
        for index, fault in enumerate(self.script.get("faults", [])):
            if number in fault.get("requests", []):
                return fault
            needle = fault.get("input_contains")
            if needle and needle.encode("utf-8") in body:
                return fault
            size = fault.get("image_size")
            if size and list(data_url_image_size(body) or []) == list(size):
                if "times" not in fault or self.bump("fault-%d" % index) < fault["times"]:
                    return fault
        return None

    def log(self, record, secret=None):
        if not self.log_path:
            return
        line = json.dumps(record, sort_keys=True) + "\n"
        if secret:
            # The log never holds a received key, even where an error message quotes it.
            line = line.replace(secret, "[redacted]")
        with self.lock:
            with open(self.log_path, "a") as f:
                f.write(line)


def make_handler(state, app):
    """app.handle(handler, record, answer) -> (status, json_body, headers), raising Fault for a
    rejected request; with answer=False it only validates (a scripted fault replaces the answer).
    app.error_body(status, message) shapes an error body the way the real service does."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "gcx-fake/1"

        def log_message(self, fmt, *args):
            pass

        def handle_any(self):
            t_start = time.time()
            number = state.next_number()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            path, _, query = self.path.partition("?")
            record = {
                "n": number, "t_start": t_start, "method": self.command, "path": path, "query": query,
                "headers": {k: v for k, v in self.headers.items() if k.lower() != "authorization"},
                "content_type": self.headers.get("Content-Type"), "fields": {}, "action": "answer",
            }
            self.body = body
            auth = self.headers.get("Authorization") or ""
            secret = auth[7:] if auth.startswith("Bearer ") else auth
            fault = state.fault_for(number, body)
            delay = float(state.script.get("delay", 0))
            status, payload, headers = 500, {}, {}
            try:
                if fault and fault.get("kind") == "drop":
                    record["action"] = "drop"
                    record["status"] = 0
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    record["t_end"] = time.time()
                    state.log(record, secret)
                    return
                is_status_fault = bool(fault and fault.get("kind") == "status")
                status, payload, headers = app.handle(self, record, answer=not is_status_fault)
                if is_status_fault:
                    record["action"] = "fault"
                    status = int(fault.get("status", 500))
                    payload = app.error_body(status, fault.get(
                        "message", "The server had an error while processing your request. Sorry about that!"))
                    if "code" in fault and isinstance(payload.get("error"), dict):
                        payload["error"]["code"] = fault["code"]
                    headers = {}
                    if "retry_after" in fault:
                        headers["Retry-After"] = str(fault["retry_after"])
                if fault and fault.get("kind") == "slow":
                    record["action"] = "slow"
                    delay = max(delay, float(fault.get("seconds", 5)))
            except Fault as f:
                status, payload, headers = f.status, f.body, f.headers
                record["action"] = "reject"
                record["error"] = payload
            if delay > 0:
                time.sleep(delay)
            headers = dict(headers)
            content_type = headers.pop("Content-Type", "application/json")
            data = bytes(payload) if isinstance(payload, (bytes, bytearray)) else json.dumps(payload).encode("utf-8")
            record["status"] = status
            # Log before answering, so a client that has its answer always finds the line.
            record["t_end"] = time.time()
            state.log(record, secret)
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); nothing to answer

        def finish(self):
            try:
                super().finish()
            except OSError:
                pass

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    return Handler


def common_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--script", help="JSON behaviour script (see fakecommon.py)")
    parser.add_argument("--log", help="append one JSON line per request here")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin closes (tests: the server dies with its parent)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (and --tls-key)")
    parser.add_argument("--tls-key", help="the certificate's PEM private key")
    return parser


def serve(state, app):
    # A parent that spawned us from a thread with signals blocked (e.g. a libdispatch worker)
    # leaves them blocked here; unblock so SIGTERM/SIGINT stop the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, set(signal.Signals))
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if state.args.exit_on_stdin_eof:
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 64

    server = Server(("127.0.0.1", state.args.port), make_handler(state, app))
    if state.args.tls_cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(state.args.tls_cert, state.args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
