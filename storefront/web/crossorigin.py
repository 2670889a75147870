"""Forms that carry no token: a POST from another site is refused by what the browser says.

A form shown on every page (the footer's newsletter sign-up) would, with a CSRF token,
put a token in every page, and so a session cookie on every first visit and
`private, no-store` on pages a shared cache could otherwise keep. Such a form carries no
token; its endpoint checks the request's origin instead, as browsers report it on every
POST (OWASP's "verifying origin with standard headers" and Fetch Metadata): a
`Sec-Fetch-Site` other than `same-origin` or `none`, or an `Origin` that is neither this
request's own nor `PUBLIC_BASE_URL`'s, is another site's form. A request with neither
header does not come from a browser, so no visitor's cookies or trust ride on it.

Only for writes that another site gains nothing by forging, such as a sign-up that still
has to be confirmed from the inbox; anything that acts for a signed-in visitor keeps its
token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def from_another_site() -> bool:
    """Whether this POST was sent by a page of another site."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    ours = {_origin(request.host_url)}
    public = current_app.extensions["storefront"].settings.public_base_url
    if public:
        ours.add(_origin(public))
    return origin.lower() not in ours
