"""HTTP caching: public reads revalidate every time, anything personal is never stored.

The ETag of a public API read is computed by flask-smorest from the response body
(`@blp.etag`), so any host that changes the data changes the tag; shared caches may keep
a copy but must ask before reusing it (`public, no-cache`).

Everything that belongs to one visitor is `private, no-store`, so no shared cache (a CDN,
a corporate proxy) and no browser history keeps it: carts and orders (an order shows its
email), the staff console and staff API, every answer that sets a cookie (Flask's session
cookie included) and every page that carries a CSRF token in a form.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session

PUBLIC = "public, no-cache"
PRIVATE = "private, no-store"
# Under the API prefix and under the pages prefix: what is one visitor's or staff's only.
PRIVATE_API_PATHS = ("carts", "orders", "staff")
PRIVATE_PAGE_PATHS = ("cart", "checkout", "staff")


def init_app(app: Flask, state) -> None:
    """Mark personal answers private on the shop's responses (all of them in the
    standalone app, as for the security headers)."""
    app.after_request(keep_personal_answers_private)


def add_cache_headers(response):
    """Mark successful public GETs as cacheable with revalidation, everything else private."""
    if "Cache-Control" in response.headers:
        return response
    if request.method in ("GET", "HEAD") and response.status_code in (200, 304) \
            and "Authorization" not in request.headers:
        response.headers["Cache-Control"] = PUBLIC
    else:
        response.headers["Cache-Control"] = PRIVATE
    return response


def keep_personal_answers_private(response):
    """`private, no-store` for answers that are one visitor's, whatever a view set."""
    state = current_app.extensions["storefront"]
    if current_app.config["STOREFRONT_SECURITY_HEADERS"] != "all" \
            and request.blueprint not in state.blueprint_names:
        return response
    if _personal(state, response):
        response.headers["Cache-Control"] = PRIVATE
    return response


def _personal(state, response) -> bool:
    """Whether the answer is one visitor's: by where it is, or by what it carries."""
    path = request.path
    pages = current_app.config["STOREFRONT_PAGES_PREFIX"].rstrip("/")
    return (_under(path, state.api_prefix, PRIVATE_API_PATHS)
            or _under(path, pages, PRIVATE_PAGE_PATHS)
            or "Set-Cookie" in response.headers
            # The session cookie is written after this hook runs; Flask's own rule says
            # whether it will be.
            or current_app.session_interface.should_set_cookie(current_app, session)
            or current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g)


def _under(path: str, prefix: str, names: tuple[str, ...]) -> bool:
    """Whether `path` is `prefix/<name>` or below it, for one of `names`."""
    if not path.startswith(prefix + "/"):
        return False
    first = path[len(prefix) + 1:].split("/", 1)[0]
    return first in names
