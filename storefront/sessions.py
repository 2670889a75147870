"""Signed cookies and CSRF tokens, made with less work per request.

A first visit to a page costs two signatures: the session cookie that holds the
visitor's CSRF secret, and the CSRF token in the page's forms. Flask and Flask-WTF build
a new `URLSafeTimedSerializer` for each (and Flask one more to open a session, cookie
or not), derive the signing key again for each signature, and compute the HMAC through
Python's `hmac` objects. The serializers here are built once per key set and sign with
the same algorithm (HMAC-SHA1, the same key derivation), through hashlib's one-shot
HMAC and with the derived key kept: the bytes are the ones Flask and Flask-WTF make and
check, so cookies and tokens pass from one to the other unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from flask import Flask, current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer, want_bytes
from itsdangerous.signer import HMACAlgorithm

CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's, so that its validation accepts our tokens
_derived_keys: dict[tuple, bytes] = {}
_csrf_serializers: dict = {}


class _OneShotHMAC(HMACAlgorithm):
    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, self.digest_method)


class _Signer(TimestampSigner):
    """itsdangerous' `TimestampSigner`, keeping the keys it derives."""

    def __init__(self, *args, **kwargs):
        kwargs["digest_method"] = hashlib.sha1
        kwargs["algorithm"] = _OneShotHMAC(hashlib.sha1)
        super().__init__(*args, **kwargs)

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        raw = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        which = (raw, self.salt, self.key_derivation)
        key = _derived_keys.get(which)
        if key is None:
            if len(_derived_keys) > 64:  # keys rotate; never let old ones pile up
                _derived_keys.clear()
            key = _derived_keys[which] = super().derive_key(secret_key)
        return key


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with one serializer per key set."""

    def __init__(self):
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        fallbacks = tuple(app.config.get("SECRET_KEY_FALLBACKS") or ())
        which = (app.secret_key, fallbacks)
        serializer = self._serializers.get(which)
        if serializer is None:
            serializer = URLSafeTimedSerializer(
                [*fallbacks, app.secret_key],  # the current key last, as Flask orders them
                salt=self.salt, serializer=self.serializer, signer=_Signer,
                signer_kwargs={"key_derivation": self.key_derivation})
            self._serializers = {which: serializer}  # only the latest key set is kept
        return serializer


def csrf_token() -> str:
    """The signed CSRF token for this request's forms, as Flask-WTF's `generate_csrf()`
    makes it (and keeps it for the request, in `g`, where its forms find it)."""
    config = current_app.config
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field not in g:
        if not isinstance(session.get(field), str):
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        setattr(g, field, _csrf_serializer(secret).dumps(session[field]))
    return g.get(field)


def _csrf_serializer(secret) -> URLSafeTimedSerializer:
    serializer = _csrf_serializers.get(secret)
    if serializer is None:
        if len(_csrf_serializers) > 64:  # keys rotate; never let old ones pile up
            _csrf_serializers.clear()
        serializer = _csrf_serializers[secret] = URLSafeTimedSerializer(
            secret, salt=CSRF_SALT, signer=_Signer)
    return serializer


def init_app(app: Flask) -> None:
    """Use these sessions unless the app chose a session interface of its own."""
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = SessionInterface()
