"""The visitor's journey cookie: touches noted on page views, handed to the cart on an add.

The rules live in `attribution.journeys`; this module only reads the request and writes
the cookie. It runs after every page of the shop and of its plugins (cached pages too:
the shared cache keeps the page's HTML, never its headers), looks at the request only
when it carries a `source`, UTM parameters or a referrer, and sends `Set-Cookie` only
when the journey changed; such an answer is marked private so no shared cache keeps it.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, request

from ..attribution import journeys
from ..attribution.services import (
    CAMPAIGN_PREFIX,
    CONTENT_KINDS,
    count_later,
    is_source,
    source_exists,
)
from ..caching import PRIVATE
from ..extensions import db

COOKIE = "journey"
MAX_AGE = timedelta(days=30)
# Kept on the request (its WSGI environ), not on `g`, which an app context pushed
# around several requests (a CLI command, a test) shares between them.
_READ = "storefront.journey"  # the journey the request came with
_NEXT = "storefront.journey_next"  # the journey a view decided on
_NOTED_ARGS = ("source", "utm_campaign", "utm_source", "utm_medium")


def install(bp: Blueprint) -> None:
    """Note journeys on the pages of every app `bp` is registered on."""
    bp.after_app_request(note_journey)


def current() -> journeys.Journey:
    """The journey this request came with (read once; anything malformed: empty)."""
    if _READ not in request.environ:
        request.environ[_READ] = journeys.from_cookie(request.cookies.get(COOKIE))
    return request.environ[_READ]


def hand_over() -> dict:
    """The journey so far, for the cart it is merged into; the cookie is then cleared
    once the answer goes out (`done`)."""
    return journeys.to_json(current())


def done() -> None:
    """The cart holds the journey now: the cookie starts again empty."""
    request.environ[_NEXT] = journeys.EMPTY


def _private() -> bool:
    """The visitor asked not to be tracked (`DNT: 1`, `Sec-GPC: 1`)."""
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


def _is_page_view(response) -> bool:
    """A successful GET of one of the shop's HTML pages (not the API, not the console)."""
    state = current_app.extensions["storefront"]
    if request.method != "GET" or response.status_code != 200 \
            or response.mimetype != "text/html" \
            or request.blueprint not in state.blueprint_names:
        return False
    pages = current_app.config["STOREFRONT_PAGES_PREFIX"].rstrip("/")
    path = request.path
    return not (path.startswith(state.api_prefix + "/") or path == state.api_prefix
                or path.startswith(pages + "/staff"))


def _content_source(raw: str | None) -> str | None:
    """`?source=` when it names existing content (one query, only when it is there)."""
    if not raw or not is_source(raw) or raw.partition(":")[0] not in CONTENT_KINDS:
        return None
    return raw if source_exists(db.session, raw) else None


def _visited() -> journeys.Journey | None:
    """The journey after this page view, or None when the request notes nothing."""
    args = request.args
    referer = request.headers.get("Referer")
    if not referer and not any(name in args for name in _NOTED_ARGS):
        return None  # nothing to note: the cookie is not even read
    private = _private()
    referrer = None if private else journeys.referrer_domain(referer, request.host)
    utm_campaign = None if private else args.get("utm_campaign")
    source = _content_source(args.get("source"))
    if source is None and referrer is None and (private or not any(
            args.get(name) for name in _NOTED_ARGS[1:])):
        return None  # a link from one of the shop's own pages, say
    if utm_campaign and (name := journeys.campaign_name(utm_campaign)):
        settings = current_app.extensions["storefront"].settings
        count_later(db.engine, CAMPAIGN_PREFIX + name, settings.view_batch)
    return journeys.visit(current(), content_source=source, utm_campaign=utm_campaign,
                          utm_source=args.get("utm_source"),
                          utm_medium=args.get("utm_medium"), referrer=referrer,
                          private=private)


def note_journey(response):
    """Write the journey cookie when this request changed the journey."""
    after = request.environ.get(_NEXT)
    if after is None and _is_page_view(response):
        after = _visited()
    if after is None or after == current():
        return response
    path = current_app.config["STOREFRONT_PAGES_PREFIX"].rstrip("/") or "/"
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))  # as the session's
    if after == journeys.EMPTY:
        response.delete_cookie(COOKIE, path=path, httponly=True, samesite="Lax",
                               secure=secure)
    else:
        response.set_cookie(COOKIE, journeys.to_cookie(after), max_age=MAX_AGE, path=path,
                            httponly=True, samesite="Lax", secure=secure)
    response.headers["Cache-Control"] = PRIVATE
    return response
