"""Cached public reads answered before dispatch.

The busiest reads of the API (a product, the first page of the catalogue) are kept in
the shared cache as finished bytes (`restapi.cached_json`). Once an answer is there,
running Flask's request machinery around it (request context, session, routing, view
wrappers, after-request hooks) costs more than fetching it. This WSGI middleware looks
such a read up first and, when the cache holds a current copy, answers with it and the
headers the app last sent with those same bytes; anything else (a miss, a query string,
credentials, a conditional the copy cannot settle, Redis away) goes to the app as usual.

The headers are not typed out here: when the app answers such a read with a 200, the
headers it sent (after every after-request hook, the session's `Vary` and anything a
host adds) are kept beside the cached entry, less the ones that belong to one request
(`PER_REQUEST`). They are replayed only while their ETag is the entry's, so a new header,
or a changed one, is sent from the cache as soon as the app has sent it once.

It serves only views marked with `restapi.read_before_dispatch`, and only requests
without a query string, whose answer is kept under their path (and under the scheme and
host when links follow the request, as `sharedcache.fetch` keeps it). A Host outside
TRUSTED_HOSTS goes to the app, which refuses it with a 400; so does, with CORS on, a
request that names its Origin, which the app answers with the CORS headers.

The standalone shop installs it (`create_app`); an app that mounts the shop as an
extension can install it with `install(app)` once its own hooks allow answering these
reads without them.
"""

from __future__ import annotations

import json

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_etags, remove_entity_headers
from werkzeug.routing import Map, Rule
from werkzeug.wsgi import get_current_url

from . import sharedcache
from .restapi import path_key, response_etag

# Headers that belong to one request or connection, never replayed from the cache.
PER_REQUEST = frozenset({"set-cookie", "date", "content-length", "connection", "keep-alive",
                         "transfer-encoding", "server", "retry-after"})
PER_REQUEST_PREFIXES = ("x-ratelimit-", "access-control-")


class CachedReads:
    """WSGI middleware in front of `app.wsgi_app`."""

    def __init__(self, app: Flask):
        self.next = app.wsgi_app
        self.state = app.extensions["storefront"]
        self.trusted_hosts = app.config.get("TRUSTED_HOSTS")
        self.links_follow_host = not app.config["PUBLIC_BASE_URL"]
        self.cors = bool(app.config.get("CORS_ORIGINS"))
        self.routes = Map([
            Rule(rule.rule, endpoint=rule.endpoint, methods=["GET"])
            for rule in app.url_map.iter_rules()
            if getattr(getattr(app.view_functions.get(rule.endpoint), "view_class", None),
                       "storefront_cached_read", False)
        ]).bind("localhost")

    def __call__(self, environ, start_response):
        found = self._look_up(environ)
        if found is None:
            return self.next(environ, start_response)
        key, beside, entry, kept = found
        answer = _replay(environ, entry, kept)
        if answer is None:
            return self.next(environ, self._recording(start_response, key, beside, kept))
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def _look_up(self, environ):
        """(key, beside, entry, kept headers) for a read this middleware may answer, or
        None for any other request."""
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if (method not in ("GET", "HEAD") or environ.get("QUERY_STRING")
                or "HTTP_AUTHORIZATION" in environ or not path.isascii()
                or (self.cors and "HTTP_ORIGIN" in environ)):
            return None
        try:
            self.routes.match(path, method="GET")
            host_url = self._host_url(environ)
        except HTTPException:  # not one of these reads (or a redirect to one), or a
            return None        # foreign Host (SecurityError): the app answers those
        key = sharedcache.scoped(self.state, path_key(path), host_url)
        # Per scheme: https answers carry HSTS, plain ones do not.
        beside = "headers:" + environ.get("wsgi.url_scheme", "http")
        return (key, beside, *self.state.cache.peek_with(key, beside))

    def _recording(self, start_response, key, beside, kept):
        """`start_response` that keeps the headers of the app's 200 beside the entry."""
        def record(status, headers, exc_info=None):
            if status.startswith("200 "):
                reusable = [(name, value) for name, value in headers if _reusable(name)]
                if _etag_of(reusable) is not None and reusable != _decoded(kept):
                    self.state.cache.put_beside(key, beside, json.dumps(reusable).encode())
            return start_response(status, headers, exc_info)
        return record

    def _host_url(self, environ) -> str:
        """The scheme and host the app keys this read under (as `request.host_url`), ""
        when PUBLIC_BASE_URL fixes the links; raises SecurityError for a foreign Host."""
        if self.links_follow_host:
            return get_current_url(environ, host_only=True, trusted_hosts=self.trusted_hosts)
        if self.trusted_hosts:
            get_current_url(environ, host_only=True, trusted_hosts=self.trusted_hosts)
        return ""


def _replay(environ, entry, kept):
    """(status, headers, body) from the cache, or None when the kept headers are missing
    or were sent with other bytes than the entry's."""
    headers = _decoded(kept)
    if entry is None or headers is None:
        return None
    etag = response_etag(entry.tag)
    if _etag_of(headers) != f"\"{etag}\"":
        return None
    if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(etag):
        remove_entity_headers(headers)  # as Werkzeug's own 304 does
        return "304 NOT MODIFIED", headers, b""
    headers.append(("Content-Length", str(len(entry.body))))
    return "200 OK", headers, b"" if environ["REQUEST_METHOD"] == "HEAD" else entry.body


def _reusable(name: str) -> bool:
    lowered = name.lower()
    return lowered not in PER_REQUEST and not lowered.startswith(PER_REQUEST_PREFIXES)


def _etag_of(headers) -> str | None:
    return next((value for name, value in headers if name.lower() == "etag"), None)


def _decoded(kept: bytes | None) -> list[tuple[str, str]] | None:
    """Headers as `put_beside` kept them, or None."""
    if kept is None:
        return None
    try:
        return [(str(name), str(value)) for name, value in json.loads(kept)]
    except (ValueError, TypeError):  # not what this release keeps: the app answers
        return None


def install(app: Flask) -> None:
    """Put `CachedReads` in front of the app (a no-op without a shared cache)."""
    if app.extensions["storefront"].cache.enabled:
        app.wsgi_app = CachedReads(app)  # type: ignore[method-assign]  # Flask's middleware way
