"""Security headers on every response the shop serves, the proxies it believes, and the
browser origins (CORS) that may call its public and cart API."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self' https://checkout.stripe.com",
    "frame-ancestors 'none'",
])


# Each is added unless the view set its own.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_SECURITY_HEADERS = tuple((name, name.lower(), value) for name, value in SECURITY_HEADERS)
# Sent only over HTTPS (browsers ignore it over plain HTTP, and it must not pin a shop
# that is still reached over HTTP in development).
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

# What a browser front end on an allowed origin may send and read.
CORS_ALLOW_HEADERS = ("Content-Type", "X-Order-Token", "If-None-Match")
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                       "X-RateLimit-Reset")
CORS_MAX_AGE = 600  # seconds a browser may keep a preflight's answer


def init_app(app: Flask, state) -> None:
    """Add the headers to the shop's responses (all responses in the standalone app), and
    allow the configured origins to call the API."""
    app.config.setdefault("STOREFRONT_SECURITY_HEADERS", "storefront")
    app.config.setdefault("CORS_ORIGINS", [])
    app.after_request(_add_headers)
    allow_origins(app, state)
    state.render_html_error = _plain_for_foreign_hosts(state.render_html_error)


def _add_headers(response):
    state = current_app.extensions["storefront"]
    scope = current_app.config["STOREFRONT_SECURITY_HEADERS"]
    if scope != "all" and request.blueprint not in state.blueprint_names:
        return response
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}  # one pass, not one per header
    for name, lowered, value in _SECURITY_HEADERS:
        if lowered not in present:
            headers.add(name, value)
    if request.is_secure and "strict-transport-security" not in present:
        headers.add(*HSTS)
    return response


def _plain_for_foreign_hosts(render_html_error):
    """Answer a Host outside TRUSTED_HOSTS with a short plain 400: no page can be built for
    it, as Flask makes no addresses for a host the shop does not serve. (The API answers
    it as JSON, as any other 400.)"""
    from werkzeug.exceptions import SecurityError

    def render(error):
        if isinstance(error, SecurityError):
            return Response("This shop does not answer to that host name.\n", 400,
                            mimetype="text/plain")
        return render_html_error(error)
    return render


# ---------------------------------------------------------------------------
# Proxies: whose X-Forwarded-* headers are believed
# ---------------------------------------------------------------------------

def trust_proxies(app: Flask) -> None:
    """Behind `TRUSTED_PROXIES` proxies, take the client's address and scheme from the
    X-Forwarded-For and X-Forwarded-Proto headers they add (werkzeug's ProxyFix), so rate
    limits key on the visitor and HTTPS is recognised. With 0 (the default) both headers
    are ignored: without a proxy any client could write them.

    The Host header is taken as the proxy passes it on (X-Forwarded-Host is not believed),
    and it is checked against TRUSTED_HOSTS after this."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's middleware way
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


# ---------------------------------------------------------------------------
# CORS: the public and cart API, never the staff API
# ---------------------------------------------------------------------------

@lru_cache(maxsize=8)
def cors_paths(api_prefix: str) -> re.Pattern:
    """Paths CORS covers: everything under the API prefix except its staff endpoints."""
    return re.compile(rf"^{re.escape(api_prefix)}/(?!staff(?:/|$))")


def allow_origins(app: Flask, state) -> None:
    """Let the browser origins in `CORS_ORIGINS` call the API (Flask-CORS); none: no CORS
    headers at all. No credentials: the API takes its cart and order tokens in the path
    and in X-Order-Token, never from cookies."""
    origins = list(app.config["CORS_ORIGINS"] or [])
    if not origins:
        return
    from flask_cors import CORS
    CORS(app, resources={cors_paths(state.api_prefix): {}}, origins=origins,
         allow_headers=list(CORS_ALLOW_HEADERS), expose_headers=list(CORS_EXPOSE_HEADERS),
         supports_credentials=False, max_age=CORS_MAX_AGE, always_send=False,
         vary_header=True)
    app.after_request(_vary_by_origin)


def _vary_by_origin(response):
    """A shared cache must keep answers apart by Origin, as only some carry CORS headers
    (Flask-CORS says so only when it allows several origins)."""
    state = current_app.extensions["storefront"]
    if cors_paths(state.api_prefix).match(request.path):
        response.vary.add("Origin")
    return response
