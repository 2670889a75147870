"""A real SMTP server (aiosmtpd) on 127.0.0.1, and the fixtures that start it.

`smtp_server`: one server per test run, emptied and made to accept again for each test.
Use it from a conftest or test module with
`from .smtp_fixtures import smtp_server  # noqa: F401`. `SmtpServer` starts servers of
one's own (on a given port, with STARTTLS, TLS from the start, or a login);
`certificate` makes the self-signed certificate those need.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

_SERVER = pytest.StashKey["SmtpServer"]()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """One message as the server took it: the envelope and the parsed message."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        """The text of the `text/<subtype>` part ("plain" or "html")."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_subtype() == subtype, \
            f"no text/{subtype} part"
        return body.get_content()


class _Handler:
    """Keeps what arrives; answers `refuse` (a full SMTP reply) to DATA when it is set."""

    def __init__(self):
        self.received: list[Received] = []
        self.refuse: str | None = None
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return self.refuse
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), message))
        return "250 Message accepted"


class SmtpServer:
    """An aiosmtpd server in a thread of its own: `url` for MAIL_URL, `received` for what
    it took, `refuse` and `delay` for faults.

    `starttls` (a server TLS context) offers STARTTLS and requires it; `implicit_tls`
    speaks TLS from the start (smtps://); `login` (user, password) requires AUTH after
    STARTTLS (aiosmtpd offers no AUTH on a connection that started with TLS)."""

    def __init__(self, port: int | None = None, *, starttls: ssl.SSLContext | None = None,
                 implicit_tls: ssl.SSLContext | None = None,
                 login: tuple[str, str] | None = None):
        self.port = port or free_port()
        self.handler = _Handler()
        self.login = login
        options: dict = {}
        if starttls is not None:
            options.update(tls_context=starttls, require_starttls=True)
        if login is not None:
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=True)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     ssl_context=implicit_tls, **options)
        self.scheme = "smtps" if implicit_tls is not None else "smtp"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and self.login is not None
              and (auth_data.login.decode(), auth_data.password.decode()) == self.login)
        return AuthResult(success=ok, handled=False)  # refused: aiosmtpd answers 535

    @property
    def url(self) -> str:
        """MAIL_URL for this server, without credentials."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        """The messages taken so far, in order."""
        return self.handler.received

    @property
    def refuse(self) -> str | None:
        return self.handler.refuse

    @refuse.setter
    def refuse(self, reply: str | None) -> None:
        """Answer `reply` (say "554 5.7.1 Not today") to every message, or accept (None)."""
        self.handler.refuse = reply

    @property
    def delay(self) -> float:
        return self.handler.delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        """Wait this long before answering a message (a slow server)."""
        self.handler.delay = seconds

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        """Forget what arrived; accept at once again."""
        self.handler.received.clear()
        self.handler.refuse = None
        self.handler.delay = 0.0

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture
def smtp_server(request: pytest.FixtureRequest) -> Iterator[SmtpServer]:
    """A running SMTP server that accepts everything and has received nothing.

    Point the shop at it with `make_app(MAIL_URL=smtp_server.url)`. The server starts
    with the first test that asks for it and stops when the test run ends."""
    config = request.config
    server = config.stash.get(_SERVER, None)
    if server is None:
        server = SmtpServer().start()
        config.stash[_SERVER] = server
        config.add_cleanup(server.stop)
    server.reset()
    yield server
    server.reset()


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1: contexts for a server and a client."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate (and checks the host name)."""
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> Certificate:
    """A self-signed certificate made with the `openssl` command (skipped without it)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return Certificate(cert, key)
