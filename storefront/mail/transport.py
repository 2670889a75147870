"""How a message leaves the shop: over SMTP (`MAIL_URL`), or as an `.eml` file without one.

A transport sends one `EmailMessage` at a time and raises `DeliveryError` when it did
not: `MessageRefused` when the server turned this message down (the next one may go
through), `ServerUnavailable` when nothing can be sent now (no connection, a timeout, a
login refused, a full disk). The outbox counts either as a failed attempt and tries again
later; it stops a pass at `ServerUnavailable` rather than wait out the timeout once per
message.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from ..timeutil import utcnow

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class DeliveryError(Exception):
    """A message was not delivered this time."""


class MessageRefused(DeliveryError):
    """The server answered, and refused this message (a 4xx or 5xx reply)."""


class ServerUnavailable(DeliveryError):
    """Nothing can be delivered now: the server is down, slow, or refuses the login."""


@dataclass(frozen=True)
class SmtpTarget:
    """Where `MAIL_URL` points: host, port, TLS from the start or not, and the login."""

    host: str
    port: int
    implicit_tls: bool = False  # smtps://: TLS from the first byte; smtp://: STARTTLS
    username: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        """Parse `smtp://user:pass@host:port` or `smtps://...`; user and password are
        percent-decoded (`p%40ss` is `p@ss`), the port defaults to 25 or 465."""
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS:
            raise ValueError(f"MAIL_URL must start with smtp:// or smtps://, not {url!r}")
        if not parts.hostname:
            raise ValueError("MAIL_URL names no host")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError as exc:
            raise ValueError(f"MAIL_URL has a bad port: {exc}") from None
        return cls(host=parts.hostname, port=port, implicit_tls=parts.scheme == "smtps",
                   username=unquote(parts.username or ""),
                   password=unquote(parts.password or ""))


class Transport(Protocol):
    """Sends messages one at a time; `close` ends any connection it holds."""

    def send(self, message: EmailMessage, *, sender: str,
             recipients: Sequence[str]) -> str:
        """Deliver `message` to `recipients`; returns where it went, for the log."""
        ...

    def close(self) -> None:
        """Let go of any connection."""
        ...


class SmtpTransport:
    """Sends over one SMTP connection, opened at the first message and kept for the next.

    With smtp://, the connection is upgraded with STARTTLS when the server offers it;
    with smtps://, TLS starts at once. Certificates are checked against the system's
    authorities unless `ssl_context` says otherwise. After any error the connection is
    dropped, so the next message starts on a fresh one.
    """

    def __init__(self, target: SmtpTarget, *, timeout: float,
                 ssl_context: ssl.SSLContext | None = None):
        self.target, self.timeout = target, timeout
        self.ssl_context = ssl_context
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        context = self.ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if target.implicit_tls:
            smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=self.timeout,
                                    context=context)
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if not target.implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if target.username:
                smtp.login(target.username, target.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage, *, sender: str,
             recipients: Sequence[str]) -> str:
        """Send `message`; `MessageRefused` or `ServerUnavailable` when it did not go."""
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(message, from_addr=sender,
                                              to_addrs=list(recipients))
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            raise MessageRefused("every recipient was refused: " + "; ".join(
                f"{code} {_text(reply)}" for code, reply in exc.recipients.values())) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            self.close()
            raise MessageRefused(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPResponseException as exc:  # greeting, HELO or login refused
            self.close()
            raise ServerUnavailable(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # no connection, lost, timed out
            self.close()
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
        if refused:
            log.warning("Message %s not accepted for %s", message["Message-ID"],
                        ", ".join(refused))
        return f"{self.target.host}:{self.target.port}"

    def close(self) -> None:
        """Say goodbye to the server (quietly: it may already be gone)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FileTransport:
    """Writes each message as an `.eml` file under `directory` (created when needed) and
    logs its path: the development default, so the shop runs without a mail server."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    def send(self, message: EmailMessage, *, sender: str,
             recipients: Sequence[str]) -> str:
        """Write `message` to a new file; `ServerUnavailable` when the disk refuses."""
        local_part = str(message["Message-ID"] or "message").strip("<>").split("@")[0]
        path = self.directory / f"{utcnow():%Y%m%d-%H%M%S}-{_UNSAFE.sub('-', local_part)}.eml"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Written whole, then renamed: a reader never sees half a message.
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(message.as_bytes())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise ServerUnavailable(f"cannot write {path}: {exc}") from exc
        log.info("Mail written to %s", path)
        return str(path)

    def close(self) -> None:
        """Nothing to let go of."""


def open_transport(mail_url: str, mail_dir: str, *, timeout: float) -> Transport:
    """The transport the settings ask for: SMTP with `mail_url`, else `.eml` files."""
    if mail_url:
        return SmtpTransport(SmtpTarget.from_url(mail_url), timeout=timeout)
    return FileTransport(mail_dir)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
