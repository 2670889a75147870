"""The core's public API for plugins: everything a plugin such as `content` may import.

A plugin that owns tables and pages (content) imports the core only from here, plus the
boundary values of `plugins.types` and the markers of `plugins.hookspecs`;
`tests/test_boundaries.py` fails on any other import. Everything else under `storefront`
may change without notice. docs/plugins.md ("The core's public API for plugins") says
what each name is for; add a name there when you add it here.
"""

from __future__ import annotations

from flask import current_app

from .attribution.services import count_later
from .catalog.models import Product, Variant
from .catalog.services import price_from
from .errors import NotFoundError
from .extensions import Model, db, limiter
from .moderation.models import ModerationStatus
from .moderation.schemas import SubmissionAcceptedSchema, SubmissionCreateFields
from .moderation.services import (
    SUBMISSION_RATE_LIMIT,
    moderation_settings,
    public_count,
    public_items,
)
from .moderation.services import Target as ModerationTarget
from .moderation.services import submit as _submit
from .pagination import PageArgsSchema, keyset_page, page_schema
from .restapi import service_errors
from .schemas import LinkSchema
from .timeutil import UTCDateTime, utcnow
from .urls import page_url, pages_url
from .web.holes import cached_page
from .web.seo import (
    SCHEMA,
    absolute_url,
    breadcrumb_list,
    endpoint_url,
    organization,
    page_meta,
    w3c_datetime,
)
from .web.submissions import submit_for_moderation
from .web.validators import same_email_rule_as_the_api

__all__ = [
    # Data: the shop's session and columns, and the catalogue rows content links to
    "db", "Model", "UTCDateTime", "utcnow", "Product", "Variant", "price_from",
    # Addresses: the core's pages by kind, and any path under the pages prefix
    "page_url", "pages_url",
    # API faces: pagination, errors, shared schemas, rate limits
    "PageArgsSchema", "page_schema", "keyset_page", "NotFoundError", "service_errors",
    "LinkSchema", "limiter",
    # Moderation: one queue for every kind of visitor writing
    "ModerationTarget", "submit_moderated", "public_items", "public_count",
    "SubmissionCreateFields", "SubmissionAcceptedSchema", "SUBMISSION_RATE_LIMIT",
    "ModerationStatus",
    # Pages: the shared page cache, the moderation form flow, form checks, SEO helpers
    "cached_page", "submit_for_moderation", "same_email_rule_as_the_api",
    "SCHEMA", "absolute_url", "breadcrumb_list", "endpoint_url", "organization",
    "page_meta", "w3c_datetime",
    # Attribution
    "count_view",
]


def submit_moderated(session, plugins, **fields):
    """Send what a visitor wrote to the moderation queue (pending, or spam by a filter),
    judged with the shop's spam settings; `fields` as `moderation.services.submit` takes."""
    settings = current_app.extensions["storefront"].settings
    return _submit(session, plugins, moderation=moderation_settings(settings), **fields)


def count_view(source: str) -> None:
    """Count a reader's view of `source` (`<kind>:<slug>`) for attribution, in batches."""
    # The batch size is the core's setting, so a plugin never reads the core's config keys.
    count_later(db.engine, source, current_app.extensions["storefront"].settings.view_batch)
