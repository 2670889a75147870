"""Cached public reads answered before dispatch.

The busiest reads of the API (a product, the first page of the catalogue) are kept in
the shared cache as finished bytes (`restapi.cached_json`). Once an answer is there,
running Flask's request machinery around it (request context, session, routing, view
wrappers, after-request hooks) costs more than fetching it. This WSGI middleware looks
such a read up first and, when the cache holds a current copy, answers with it and the
same headers the view would send; anything else (a miss, a query string, credentials,
a conditional the copy cannot settle, Redis away) goes to the app as usual.

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

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_etags
from werkzeug.routing import Map, Rule
from werkzeug.wsgi import get_current_url

from . import sharedcache
from .caching import PUBLIC
from .restapi import path_key, response_etag
from .security import HSTS, SECURITY_HEADERS

CACHE_CONTROL = ("Cache-Control", PUBLIC)  # as caching.add_cache_headers sets
VARY = ("Vary", "Cookie")  # as Flask sends it: the app reads the session on every request
VARY_WITH_CORS = ("Vary", "Cookie, Origin")  # as security._vary_by_origin adds with CORS on


class CachedReads:
    """WSGI middleware in front of `app.wsgi_app`."""

    def __init__(self, app: Flask):
        self.next = app.wsgi_app
        self.state = app.extensions["storefront"]
        self.trusted_hosts = app.config.get("TRUSTED_HOSTS")
        self.links_follow_host = not app.config["PUBLIC_BASE_URL"]
        self.cors = bool(app.config.get("CORS_ORIGINS"))
        self.vary = VARY_WITH_CORS if self.cors else VARY
        self.routes = Map([
            Rule(rule.rule, endpoint=rule.endpoint, methods=["GET"])
            for rule in app.url_map.iter_rules()
            if getattr(getattr(app.view_functions.get(rule.endpoint), "view_class", None),
                       "storefront_cached_read", False)
        ]).bind("localhost")

    def __call__(self, environ, start_response):
        answer = self._from_cache(environ)
        if answer is None:
            return self.next(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def _from_cache(self, environ):
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
        entry = self.state.cache.peek(sharedcache.scoped(self.state, path_key(path), host_url))
        if entry is None:
            return None
        etag = response_etag(entry.tag)
        headers = [("ETag", f"\"{etag}\""), CACHE_CONTROL, *SECURITY_HEADERS, self.vary]
        if environ.get("wsgi.url_scheme") == "https":
            headers.append(HSTS)
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(etag):
            return "304 NOT MODIFIED", headers, b""
        headers += [("Content-Type", "application/json"),
                    ("Content-Length", str(len(entry.body)))]
        return "200 OK", headers, b"" if method == "HEAD" else entry.body

    def _host_url(self, environ) -> str:
        """The scheme and host the app keys this read under (as `request.host_url`), ""
        when PUBLIC_BASE_URL fixes the links; raises SecurityError for a foreign Host."""
        if self.links_follow_host:
            return get_current_url(environ, host_only=True, trusted_hosts=self.trusted_hosts)
        if self.trusted_hosts:
            get_current_url(environ, host_only=True, trusted_hosts=self.trusted_hosts)
        return ""


def install(app: Flask) -> None:
    """Put `CachedReads` in front of the app (a no-op without a shared cache)."""
    if app.extensions["storefront"].cache.enabled:
        app.wsgi_app = CachedReads(app)
