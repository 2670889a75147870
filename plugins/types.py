"""Plain values that cross the plugin boundary: no database rows, no SDK objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Payments and orders live in their own module; plugin authors import them from here too.
from .payment_types import *  # noqa: F403


@dataclass(frozen=True, slots=True)
class ProductRef:
    """Enough of a product for a plugin to find what belongs to it."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class ContentLink:
    """A link from a product to a piece of content (or back), as shown to readers."""

    kind: str  # "exercise" or "article"
    slug: str
    title: str
    url: str
    summary: str = ""
    role: str | None = None  # "required" or "optional" where the link has one


@dataclass(frozen=True, slots=True)
class NavLink:
    """An entry in the storefront's header navigation."""

    label: str
    endpoint: str
    order: int = 100


@dataclass(frozen=True, slots=True)
class FooterForm:
    """A one-field form in the footer of every storefront page (`footer_forms` hook).

    The form posts `email` and a honeypot `website` (empty when a person sent it) to
    `action`, a root-relative or absolute address; no CSRF token (see the hook)."""

    action: str
    heading: str
    blurb: str
    label: str  # the email field's label
    button: str
    order: int = 100


@dataclass(frozen=True)
class ConsoleLink:
    """An entry in the staff console's navigation, shown to staff who hold `role`
    (admins see every entry)."""

    label: str
    endpoint: str
    role: str  # "moderator", "editor" or "admin"
    order: int = 100


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One thing the site search can find, as plain text.

    `type` and `key_id` identify it in the index (`key_id` is the id of its row in the
    plugin's own table). `url_path` is the page's path below the pages prefix, such as
    `/exercises/glute-bridge`; the core adds the prefix and `PUBLIC_BASE_URL`. `title`,
    `summary` and `body` are plain text without markup: the title weighs most in
    ranking, then the summary, then the body; the snippet is cut from the body.
    `visible_from`, when given, is the moment from which
    searches find it (an article scheduled for later is indexed at once and found once
    the clock passes it, with no job to run then).
    """

    type: str  # "product", "exercise", "article"
    key_id: int
    slug: str
    title: str
    url_path: str
    body: str = ""
    updated_at: datetime | None = None
    visible_from: datetime | None = None
    summary: str = ""  # weighs between the title and the body in ranking


@dataclass(frozen=True, slots=True)
class SearchSource:
    """A table whose rows feed search documents of one kind.

    When a row of `table` is inserted, updated or deleted, the document of type `kind`
    whose `key_id` is the row's attribute `key` is rebuilt (asked of `search_documents`)
    in the same transaction. `key` is `id` for the document's own table, or a foreign
    key for a table that holds part of it (a variant's `product_id`).
    """

    kind: str
    table: str
    key: str = "id"


# ---------------------------------------------------------------------------
# Moderation
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Submission:
    """Something a visitor wrote (a review or a comment), as filters and notifiers see it.

    `recent_bodies` holds the texts the same email sent in the last day, so a filter can
    spot repeats without a database.
    """

    kind: str  # "review" or "comment"
    id: int
    author_name: str
    email: str
    body: str
    target_type: str  # "product" or "article"
    target_slug: str
    title: str = ""
    rating: int | None = None
    honeypot: str = ""  # a form field people never see; robots fill it in
    recent_bodies: tuple[str, ...] = ()
    status: str = "pending"  # decided once filters have judged it: "pending" or "spam"


@dataclass(frozen=True, slots=True)
class ModerationSettings:
    """The spam settings, from the app's config."""

    banned_words: tuple[str, ...] = ()
    max_links: int = 2


@dataclass(frozen=True, slots=True)
class Verdict:
    """A filter's opinion: `spam` lands the item in the spam folder, anything else is queued.

    `score` runs from 0 (clean) to 1 (certain spam); `reasons` are short phrases that
    moderators read, such as "3 links".
    """

    spam: bool
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModeratedKind:
    """A kind of visitor writing that goes through the shared moderation queue."""

    name: str  # "review", "comment"
    label: str  # "Review", "Comment"
    target_type: str  # "product", "article"


# ---------------------------------------------------------------------------
# Search engines and feed readers
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """A public page for the sitemap.

    `url` is absolute or root-relative (the core makes it absolute); `lastmod` is an aware
    datetime of the page's last change, or None when unknown.
    """

    url: str
    lastmod: datetime | None
    kind: str  # "exercise", "article", ...


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """A published piece of writing for the Atom feed; `url` absolute or root-relative."""

    url: str
    title: str
    summary: str
    published: datetime  # aware
    updated: datetime  # aware; never earlier than `published`
