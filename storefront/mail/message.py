"""An outbox row as an email: headers, a text part, and an HTML alternative when it has one."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

# Headers the shop sets itself; a row's extra headers may not replace them.
OWN_HEADERS = frozenset({"from", "to", "cc", "bcc", "reply-to", "subject", "date",
                         "message-id", "mime-version", "content-type",
                         "content-transfer-encoding"})


def address_of(mailbox: str) -> str:
    """The bare address of `"Name <addr@host>"` (or of a bare address)."""
    return parseaddr(mailbox)[1]


def message_id(row_id: int, dedupe_key: str, created_at: datetime, sender: str) -> str:
    """A Message-ID that stays the same for one outbox row, however often it is sent: a
    resend after a lost reply is then recognisable as the same message. The digest keeps
    ids apart when another database numbers its rows from 1 again."""
    digest = hashlib.sha256(f"{dedupe_key}\n{created_at.isoformat()}".encode()).hexdigest()
    domain = address_of(sender).rpartition("@")[2] or "localhost"
    return f"<outbox.{row_id}.{digest[:16]}@{domain}>"


def extra_headers(raw: str | None) -> dict[str, str]:
    """A row's `headers` column (a JSON object of names and text values) as a dict."""
    if not raw:
        return {}
    headers = json.loads(raw)
    if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise ValueError("headers must be a JSON object of text values")
    return headers


def compose(*, message_id: str, sender: str, recipients: Sequence[str], subject: str,
            text: str, html: str | None = None, reply_to: str = "",
            headers: Mapping[str, str] | None = None, date: datetime) -> EmailMessage:
    """A multipart/alternative message (plain text alone when there is no HTML).

    Raises ValueError for a header the shop sets itself or one with a line break (which
    the standard library refuses, so no value can add headers of its own)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    for name, value in (headers or {}).items():
        if name.lower() in OWN_HEADERS:
            raise ValueError(f"the {name} header is the shop's to set")
        del message[name]
        message[name] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
        # The standard library draws a missing boundary from the global `random` when the
        # message is written, which would move the host application's random state from
        # a delivery thread; a boundary of our own keeps the shop's hands off it.
        message.set_boundary(f"=_{secrets.token_hex(16)}")
    return message
