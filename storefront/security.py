"""Security headers on every response the shop serves."""

from __future__ import annotations

from flask import Flask, current_app, request

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


def init_app(app: Flask, state) -> None:
    """Add the headers to the shop's responses (all responses in the standalone app)."""
    app.config.setdefault("STOREFRONT_SECURITY_HEADERS", "storefront")
    app.after_request(_add_headers)


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
    return response
