"""Cart tokens that prove the shop issued them, so a new cart needs no row yet.

Creating a cart writes nothing: its token carries random bits, the time it was issued
and an HMAC of both under a key derived from `SECRET_KEY`. The cart's row is written by
its first change (a line, a discount code). Until then the token reads as an empty cart,
on any worker and any host, because each can check the tag; a token the shop never
issued still reads as no cart at all. A visitor or a bot that opens carts and never
fills them costs no database write, and there is nothing to prune for them.

An unwritten token lives as long as an idle cart does (`IDLE_DAYS` after it was
issued), the same as a cart with a row that nobody touches. Tokens made before this
format (random text with a row) keep working through their row. Changing `SECRET_KEY`
forgets the unwritten ones, which held nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

RANDOM_BYTES = 17
TIME_BYTES = 4  # seconds since the epoch, unsigned: good until 2106
TAG_BYTES = 15
TOKEN_BYTES = RANDOM_BYTES + TIME_BYTES + TAG_BYTES  # 36 bytes: 48 characters of base64url
PURPOSE = b"storefront cart token"


def _key(secret: str) -> bytes:
    """A key for cart tokens alone, derived from the shop's secret."""
    return hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()


def _tag(secret: str, payload: bytes) -> bytes:
    return hmac.new(_key(secret), payload, hashlib.sha256).digest()[:TAG_BYTES]


def issue(secret: str, now: datetime) -> str:
    """A new cart token, issued at `now`."""
    payload = secrets.token_bytes(RANDOM_BYTES) + int(now.timestamp()).to_bytes(TIME_BYTES, "big")
    return base64.urlsafe_b64encode(payload + _tag(secret, payload)).decode()


def issued_at(secret: str, token: str) -> datetime | None:
    """When the shop issued `token`, or None when it did not (any other text)."""
    if not secret or len(token) != TOKEN_BYTES * 4 // 3:
        return None
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    payload, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    if len(raw) != TOKEN_BYTES or not hmac.compare_digest(tag, _tag(secret, payload)):
        return None
    seconds = int.from_bytes(payload[RANDOM_BYTES:], "big")
    return datetime.fromtimestamp(seconds, UTC)


def unwritten_cart(secret: str, token: str, now: datetime, idle: timedelta) -> bool:
    """Whether `token` names a cart the shop issued within `idle` of `now`: without a row
    it is an empty cart; older ones are gone, as an idle cart's row would be."""
    issued = issued_at(secret, token)
    return issued is not None and now - issued < idle
