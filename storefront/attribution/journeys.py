"""A visit's journey: the content and campaign touches that led to a cart, and how the
visit began (campaign, `utm_source`, `utm_medium`, the referring domain).

Plain values in and out: the pages keep a journey in a cookie of its own until an add
to cart merges it into `cart.journey`, and checkout copies that onto the order. Every
value read back (from the cookie or a JSON column) is checked again, and anything
malformed is dropped: a journey is a hint for the reports, never a reason to fail.

A journey is bounded: at most `MAX_TOUCHES` touches, the first kept (it began the
visit) and then the latest ones; a touch equal to the one before it is not repeated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from .services import CAMPAIGN_PREFIX, is_source

MAX_TOUCHES = 10
MAX_NOTE = 80  # the longest `utm_source`, `utm_medium` or referring domain kept
MAX_COOKIE = 2048  # a longer cookie was not written by the shop: it is ignored whole
COOKIE_VERSION = "1"
_NOTE = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*")
_NOT_NAME = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class Journey:
    """What led a visitor here, oldest touch first."""

    touches: tuple[str, ...] = ()
    campaign: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    referrer: str | None = None

    @property
    def last_touch(self) -> str | None:
        """The touch just before now (the one an add without a link's source credits)."""
        return self.touches[-1] if self.touches else None


EMPTY = Journey()


def campaign_name(raw: str | None) -> str | None:
    """`utm_campaign` as a name: lower case, runs of anything outside `[a-z0-9._-]` as
    one `-`, trimmed of `-`; None when nothing usable is left ("Spring Sale" ->
    "spring-sale")."""
    if not isinstance(raw, str) or len(raw) > 400:
        return None
    name = _NOT_NAME.sub("-", raw.lower()).strip("-")
    return name if _NOTE.fullmatch(name) else None


def _note(raw: str | None) -> str | None:
    """A `utm_source` or `utm_medium`, normalised as a campaign name is, or None."""
    return campaign_name(raw)


def referrer_domain(referer: str | None, own_host: str | None) -> str | None:
    """The domain of a referring page on another host (lower case, without port or
    path), or None for the shop's own pages, other schemes and anything malformed."""
    if not isinstance(referer, str) or len(referer) > 2000:
        return None
    try:
        parts = urlsplit(referer)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    try:
        own = urlsplit("//" + own_host).hostname if own_host else None
    except ValueError:
        own = None
    if host == own or len(host) > MAX_NOTE or not _DOMAIN.fullmatch(host):
        return None
    return host


def add_touch(journey: Journey, source: str | None) -> Journey:
    """`journey` with one more touch, kept within `MAX_TOUCHES` (the first, then the
    latest); unchanged for a malformed source or a repeat of the last touch."""
    if source is None or not is_source(source) or source in ("direct", journey.last_touch):
        return journey
    touches = (*journey.touches, source)
    if len(touches) > MAX_TOUCHES:
        touches = (touches[0], *touches[-(MAX_TOUCHES - 1):])
    return replace(journey, touches=touches)


def visit(journey: Journey, *, content_source: str | None = None,
          utm_campaign: str | None = None, utm_source: str | None = None,
          utm_medium: str | None = None, referrer: str | None = None,
          private: bool = False) -> Journey:
    """The journey after one page request. `content_source` must already be known to
    name existing content. With `private` (`DNT: 1` or `Sec-GPC: 1`) nothing from the
    UTM parameters or the referrer is kept; content touches still are. What describes
    how the visit began (campaign, utm values, referrer) keeps its first value."""
    journey = add_touch(journey, content_source)
    if private:
        return journey
    name = campaign_name(utm_campaign)
    if name:
        journey = add_touch(journey, CAMPAIGN_PREFIX + name)
    return replace(journey, campaign=journey.campaign or name,
                   utm_source=journey.utm_source or _note(utm_source),
                   utm_medium=journey.utm_medium or _note(utm_medium),
                   referrer=journey.referrer or referrer)


def merge(earlier: Journey, later: Journey) -> Journey:
    """Two parts of one journey as one: `later`'s touches after `earlier`'s, and the
    first known value of each note."""
    merged = earlier
    for touch in later.touches:
        merged = add_touch(merged, touch)
    return replace(merged, campaign=earlier.campaign or later.campaign,
                   utm_source=earlier.utm_source or later.utm_source,
                   utm_medium=earlier.utm_medium or later.utm_medium,
                   referrer=earlier.referrer or later.referrer)


def _checked(touches, campaign, utm_source, utm_medium, referrer) -> Journey:
    """A journey from untrusted parts: each checked, anything malformed left out."""
    journey = EMPTY
    for touch in touches if isinstance(touches, (list, tuple)) else ():
        journey = add_touch(journey, touch)
    return replace(
        journey,
        campaign=campaign if isinstance(campaign, str) and _NOTE.fullmatch(campaign) else None,
        utm_source=utm_source if isinstance(utm_source, str) and _NOTE.fullmatch(utm_source)
        else None,
        utm_medium=utm_medium if isinstance(utm_medium, str) and _NOTE.fullmatch(utm_medium)
        else None,
        referrer=referrer if isinstance(referrer, str) and len(referrer) <= MAX_NOTE
        and _DOMAIN.fullmatch(referrer) else None)


def to_cookie(journey: Journey) -> str:
    """The cookie's value: `1|touch+touch|campaign|utm_source|utm_medium|referrer`, all
    characters a cookie carries without quoting."""
    return "|".join((COOKIE_VERSION, "+".join(journey.touches), journey.campaign or "",
                     journey.utm_source or "", journey.utm_medium or "",
                     journey.referrer or ""))


def from_cookie(value: str | None) -> Journey:
    """The journey a cookie holds; an empty one for anything the shop did not write."""
    if not value or len(value) > MAX_COOKIE:
        return EMPTY
    parts = value.split("|")
    if len(parts) != 6 or parts[0] != COOKIE_VERSION:
        return EMPTY
    _, touches, campaign, utm_source, utm_medium, referrer = parts
    return _checked(touches.split("+") if touches else [], campaign or None,
                    utm_source or None, utm_medium or None, referrer or None)


def to_json(journey: Journey) -> dict:
    """The form kept in `cart.journey` and `orders.journey`."""
    return {"touches": list(journey.touches), "campaign": journey.campaign,
            "utm_source": journey.utm_source, "utm_medium": journey.utm_medium,
            "referrer": journey.referrer}


def from_json(value) -> Journey:
    """A journey from its JSON form, checked again (None or anything else: empty)."""
    if not isinstance(value, dict):
        return EMPTY
    return _checked(value.get("touches"), value.get("campaign"), value.get("utm_source"),
                    value.get("utm_medium"), value.get("referrer"))
