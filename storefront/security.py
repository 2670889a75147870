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
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response
