"""The newsletter's signed links: a confirmation that expires, an unsubscribe that does not.

Both carry only the subscriber's id, signed with the app's secret key (itsdangerous), each
kind with a salt of its own so that one kind of link never passes for the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_SALT = "newsletter-confirm"
UNSUBSCRIBE_SALT = "newsletter-unsubscribe"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # seconds
# The pages that follow the links, under the pages prefix.
CONFIRM_PATH = "/newsletter/confirm/{token}"
UNSUBSCRIBE_PATH = "/newsletter/unsubscribe/{token}"


class LinkExpired(Exception):
    """A confirmation link older than `CONFIRM_MAX_AGE`."""


class LinkInvalid(Exception):
    """A link whose signature does not hold (tampered with, cut short, or made up), or
    that names nobody."""


@dataclass(frozen=True)
class Signer:
    """Makes and reads the newsletter's links, with the app's secret key."""

    secret_key: str | bytes

    def _timed(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=CONFIRM_SALT)

    def _lasting(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret_key, salt=UNSUBSCRIBE_SALT)

    def confirm_token(self, subscriber_id: int) -> str:
        return self._timed().dumps(subscriber_id)

    def unsubscribe_token(self, subscriber_id: int) -> str:
        return self._lasting().dumps(subscriber_id)

    def confirmed_id(self, token: str) -> int:
        """The subscriber a confirmation link names; `LinkExpired` past its age."""
        try:
            return _subscriber_id(self._timed().loads(token, max_age=CONFIRM_MAX_AGE))
        except SignatureExpired:
            raise LinkExpired from None
        except BadSignature:
            raise LinkInvalid from None

    def unsubscribed_id(self, token: str) -> int:
        """The subscriber an unsubscribe link names."""
        try:
            return _subscriber_id(self._lasting().loads(token))
        except BadSignature:
            raise LinkInvalid from None


def _subscriber_id(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise LinkInvalid
    return value
