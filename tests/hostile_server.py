"""A hostile HTTP server on 127.0.0.1 for the transport's hardening tests.

Each mode misbehaves in one way a real attacker (or a broken proxy) could: a gzip bomb,
a huge Content-Length with a trickle, an endless chunked body, one byte per second,
JSON nested 200,000 deep, an error text that echoes the key it was sent, and a trap
that only counts what reaches it (for proxy tests). It writes raw bytes on the socket,
so it can break HTTP where http.server would not let it.

Run it alone to try the command line by hand:
    python tests/hostile_server.py bomb   # prints the base URL, serves until Ctrl-C
"""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import sys
import threading
import zlib
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import quote

MODES = ("bomb", "huge-length", "endless", "drip", "deep", "echo", "trap", "gzip-page")
BOMB_INFLATED = 2 * 1024**3  # 2 GiB of zeros
NESTING = 200_000


def _build_bomb() -> bytes:
    """2 GiB of zeros gzipped to about 2 MB, built in a fraction of a second.

    Compressing 2 GiB takes 18 s. After a full flush, deflate forgets its history, so
    each further MiB of zeros compresses to the same bytes: compress one MiB, repeat it.
    The gzip trailer (CRC and length of the whole) is computed over a reused buffer.
    """
    mib = bytes(1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    assert again == block, "deflate did not repeat itself after a full flush"
    tail = packer.flush()[:-8]  # the last (empty) block, without the partial trailer
    count = BOMB_INFLATED // len(mib)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(mib, crc)
    trailer = crc.to_bytes(4, "little") + (BOMB_INFLATED % 2**32).to_bytes(4, "little")
    return head + block * (count - 1) + tail + trailer


_bomb: bytes | None = None
_bomb_lock = threading.Lock()


def bomb() -> bytes:
    """The gzip bomb, built once per process on first use."""
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            _bomb = _build_bomb()
        return _bomb


def key_echoes(key: str) -> str:
    """The key as a careless or hostile server might quote it back, in many forms."""
    raw = key.encode()
    return " | ".join(
        [
            f"key {key}",
            f"upper {key.upper()}",
            "split " + "\x00".join(key),
            "zero-width " + "\u200b".join(key),
            "escape " + "\x1b[0m".join(key),
            f"percent {''.join(f'%{b:02X}' for b in raw)}",
            f"quoted {quote(key, safe='')}",
            f"reversed {key[::-1]}",
            f"hex {raw.hex()}",
            f"base64 {base64.b64encode(raw).decode()}",
            f"shifted base64 {base64.b64encode(b'x' + raw).decode()}",
            "full-width " + "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in key),
            f"half {key[: len(key) // 2]} and {key[len(key) // 2 :]}",
        ]
    )


@dataclass
class Seen:
    """One request as it reached the server."""

    request_line: str
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(socketserver.BaseRequestHandler):
    server: _Server
    NEWLINE: ClassVar[bytes] = b"\r\n"

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(30)
        try:
            while self._one_request(sock):
                pass
        except OSError:
            pass  # the client hung up: what the hostile modes expect sooner or later

    def _read_head(self, sock: socket.socket) -> Seen | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk or len(data) > 65536:
                return None
            data += chunk
        lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return Seen(lines[0], headers)

    def _one_request(self, sock: socket.socket) -> bool:
        seen = self._read_head(sock)
        if seen is None:
            return False
        hostile = self.server.owner
        with hostile.lock:
            hostile.seen.append(seen)
        getattr(self, "_" + hostile.mode.replace("-", "_"))(sock, seen)
        return False  # one request a connection

    def _head(self, status: str, headers: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        return "\r\n".join(lines).encode("latin-1")

    @property
    def _status(self) -> str:
        return self.server.owner.status or "200 OK"

    @property
    def _stop(self) -> threading.Event:
        return self.server.owner.stopping

    def _bomb(self, sock: socket.socket, _seen: Seen) -> None:
        body = bomb()
        head = {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Content-Length": str(len(body)),
        }
        sock.sendall(self._head(self._status, head) + body)

    def _huge_length(self, sock: socket.socket, _seen: Seen) -> None:
        head = {"Content-Type": "application/json", "Content-Length": self.server.owner.length}
        sock.sendall(self._head(self._status, head) + b"[")
        while not self._stop.wait(0.05):
            sock.sendall(b"0," * 512)

    def _endless(self, sock: socket.socket, _seen: Seen) -> None:
        head = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        piece = b"0," * 32768
        chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
        sock.sendall(self._head(self._status, head) + b"2\r\n[0\r\n")
        while not self._stop.is_set():
            sock.sendall(chunk)

    def _drip(self, sock: socket.socket, _seen: Seen) -> None:
        body = b"[" + b"0," * 100 + b"0]"
        head = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        for byte in self._head(self._status, head) + body:
            sock.sendall(bytes([byte]))
            if self._stop.wait(1.0):
                return

    def _deep(self, sock: socket.socket, _seen: Seen) -> None:
        body = b"[" * NESTING + b"]" * NESTING
        if self._status != "200 OK":  # an error body: nested inside Clockify's object
            body = b'{"message": "x", "code": ' + body + b"}"
        head = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        sock.sendall(self._head(self._status, head) + body)

    def _echo(self, sock: socket.socket, seen: Seen) -> None:
        key = seen.headers.get("x-api-key", "")
        status = self.server.owner.status or "400 Bad Request"
        body = json.dumps({"message": key_echoes(key), "code": 4003}).encode()
        head = {
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "Connection": "close",
        }
        sock.sendall(self._head(status, head) + body)

    def _trap(self, sock: socket.socket, _seen: Seen) -> None:
        body = b'{"message": "the proxy trap"}'
        head = {"Content-Length": str(len(body)), "Connection": "close"}
        sock.sendall(self._head("502 Bad Gateway", head) + body)

    def _gzip_page(self, sock: socket.socket, _seen: Seen) -> None:
        owner = self.server.owner
        page = json.dumps(owner.page).encode()
        half = len(page) // 2  # two gzip members, as gzip(1) makes of joined files
        body = zlib.compress(page[:half], wbits=31) + zlib.compress(page[half:], wbits=31)
        if owner.encoding != "gzip":  # not gzip, but said to be compressed another way
            body = page
        head = {
            "Content-Type": "application/json",
            "Content-Encoding": owner.encoding,
            "Content-Length": str(len(body)),
            "Last-Page": "true",
            "Connection": "close",  # http.client lets go of the socket after the headers
        }
        sock.sendall(self._head("200 OK", head) + body)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    owner: HostileServer


class HostileServer:
    """One hostile mode on 127.0.0.1; `seen` lists the requests that reached it."""

    def __init__(
        self,
        mode: str,
        *,
        status: str | None = None,
        encoding: str = "gzip",
        length: str = "2000000000",
    ) -> None:
        """`status` replaces the mode's own (200 OK, or 400 for echo); `encoding` is the
        Content-Encoding of gzip-page (anything but gzip sends the page uncompressed);
        `length` is the Content-Length huge-length announces."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        self.mode = mode
        self.status = status
        self.encoding = encoding
        self.length = length
        self.page: list[object] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    server = HostileServer(sys.argv[1] if len(sys.argv) > 1 else "drip").start()
    print(server.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
