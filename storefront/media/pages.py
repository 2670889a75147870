"""Serving stored pictures at their content-hashed addresses: `GET /media/<key>`.

A key names its bytes (SHA-256 plus extension), so an answer never changes: browsers and
CDNs may keep it for a year without asking again (`immutable`), and a changed picture is
a new address. The bytes come from the storage, so any host on the same database answers.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from ..extensions import db
from .storage import DatabaseStorage, MediaStorage, is_media_key

IMMUTABLE = "public, max-age=31536000, immutable"
STORAGE_EXTENSION = "storefront_media_storage"  # app.extensions key of a storage factory


def media_storage(session) -> MediaStorage:
    """The app's storage: the factory a host put in `app.extensions[STORAGE_EXTENSION]`
    (called with the session), else the database."""
    factory = current_app.extensions.get(STORAGE_EXTENSION)
    return factory(session) if factory else DatabaseStorage(session)


def make_blueprint(url_prefix: str) -> Blueprint:
    """A fresh blueprint serving stored pictures under `url_prefix` (`<pages>/media`)."""
    bp = Blueprint("storefront_media", __name__, url_prefix=url_prefix)

    @bp.route("/<key>")
    def media(key: str):
        """One stored picture, cached for a year; 404 for a key that names nothing."""
        if not is_media_key(key):
            abort(404)
        etag = key.split(".", 1)[0]
        if request.if_none_match.contains(etag):  # the same key is always the same bytes
            return _cacheable(Response(status=304), etag)
        found = media_storage(db.session).get(key)
        if found is None:
            abort(404)
        return _cacheable(Response(found.data, mimetype=found.content_type), etag)

    return bp


def _cacheable(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
