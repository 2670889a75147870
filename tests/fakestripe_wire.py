"""The fake Stripe server's wire: Stripe's form encoding, its error shape and the HTTP
server that hands each request to `FakeStripe` (tests/fakestripe.py)."""

from __future__ import annotations

import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .fakestripe import FakeStripe


class RecordedRequest(NamedTuple):
    """One API request as the fake received it; params are strings, as on the wire."""

    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]  # lower-case names


class StripeApiError(Exception):
    """An error answer in Stripe's shape."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {k: v for k, v in {
            "type": type, "message": message, "code": code, "param": param}.items()
            if v is not None}}


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


# The form encoding

def _key_parts(key: str) -> list[str]:
    name, bracket, rest = key.partition("[")
    if not bracket:
        return [key]
    if not rest.endswith("]"):
        raise StripeApiError(400, f"Invalid parameter name: {key}")
    return [name, *rest[:-1].split("][")]


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {key: _listify(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


def parse_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Turn `a[b][0][c]=x` pairs into nested dicts and lists (values stay strings)."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = _key_parts(key)
        node = root
        for part in parts[:-1]:
            if part == "":
                part = str(len(node))
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise StripeApiError(400, f"Invalid parameter: {key}", param=key)
            node = child
        last = parts[-1] or str(len(node))
        node[last] = value
    return _listify(root)


def as_int(value: Any, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeApiError(400, f"Invalid integer: {value}", code="parameter_invalid_integer",
                             param=param) from None


def require(container: dict[str, Any], key: str, param: str) -> Any:
    value = container.get(key)
    if value in (None, "", {}, []):
        raise StripeApiError(400, f"Missing required param: {param}.",
                             code="parameter_missing", param=param)
    return value


def strings(value: Any, param: str) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise StripeApiError(400, f"Invalid object: {param}", param=param)
    return {str(k): str(v) for k, v in value.items() if v != ""}


# The server

class Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() waits for every answer in flight

    def __init__(self, fake: FakeStripe, port: int = 0):
        super().__init__(("127.0.0.1", port), Handler)
        self.fake = fake

    def handle_error(self, request, client_address):
        # A client that gave up (a timeout under test) is not an error of the fake.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "FakeStripe/1.0"
    timeout = 10  # a connection that never sends a request does not hold up stop()

    def do_GET(self):
        self.server.fake._handle(self)

    def do_POST(self):
        self.server.fake._handle(self)

    def do_DELETE(self):
        self.server.fake._handle(self)

    def log_message(self, format, *args):
        pass

    def send_body(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
