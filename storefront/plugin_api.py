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
from .emails import normalise_email
from .errors import ConflictError, InvalidError, NotFoundError, ServiceError
from .extensions import Model, db, limiter
from .mail.outbox import queue_message
from .media.api import upload_errors
from .media.models import Image
from .media.pages import media_storage
from .media.presenters import image_json, public_image_json
from .media.schemas import (
    ImageSchema,
    ImageUploadFileSchema,
    ImageUploadFormSchema,
    StaffImageSchema,
)
from .media.services import ImageTooLarge, UploadLimits, save_image
from .media.uploads import allow_picture_uploads, upload_limits
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
from .money import Money
from .orders.bought_together import BoughtProduct, bought_together
from .orders.models import StaffAction
from .pagination import PageArgsSchema, keyset_page, page_schema
from .restapi import IF_MATCH_DOC, if_match, service_errors, version_etag
from .schemas import InputEmail, InputSchema, InputString, LinkSchema, StrictSchema
from .staff.auth import require_token
from .staff.console import end_idle_console_session
from .staff.moderation_pages import role_required
from .timeutil import UTCDateTime, utcnow
from .urls import page_url, pages_url
from .versioning import StaleVersion, VersionRequired, check_version, commit_versioned
from .web.crossorigin import from_another_site
from .web.holes import cached_page
from .web.seo import (
    SCHEMA,
    absolute_url,
    breadcrumb_list,
    endpoint_url,
    organization,
    page_meta,
    shop_name,
    w3c_datetime,
)
from .web.submissions import submit_for_moderation
from .web.validators import same_email_rule_as_the_api

__all__ = [
    # Data: the shop's session and columns, and the catalogue rows content links to
    "db", "Model", "UTCDateTime", "utcnow", "Product", "Variant", "price_from",
    "Money",
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
    "cached_page", "submit_for_moderation", "same_email_rule_as_the_api", "from_another_site",
    "SCHEMA", "absolute_url", "breadcrumb_list", "endpoint_url", "organization",
    "page_meta", "w3c_datetime",
    # Mail: a message written in the caller's transaction, sent after its commit
    "queue_message", "shop_name",
    # Email addresses: the API's field and the shop's one way of keeping them
    "InputEmail", "normalise_email", "InputString", "StrictSchema",
    # Attribution, and what the orders a source led to also held
    "count_view", "bought_together", "BoughtProduct",
    # Staff: the API's bearer-token check, the console's role check, the audit log
    "require_token", "role_required", "end_idle_console_session", "record_staff_action",
    "ServiceError", "ConflictError", "InvalidError", "InputSchema",
    # Safe edits: versions checked before a change and at commit, ETag and If-Match
    "StaleVersion", "VersionRequired", "check_version", "commit_versioned", "IF_MATCH_DOC",
    "if_match", "version_etag",
    # Pictures: checked uploads stored where every host reads them, and their JSON
    "Image", "save_image", "image_json", "public_image_json", "UploadLimits",
    "upload_limits", "media_storage", "ImageTooLarge", "ImageSchema", "StaffImageSchema",
    "ImageUploadFormSchema", "ImageUploadFileSchema", "upload_errors", "allow_picture_uploads",
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


def record_staff_action(session, *, actor: str, action: str, subject_type: str,
                        subject: str, detail: str = "") -> None:
    """Add a row to the staff audit log (who did what to which thing, and when) in the
    caller's transaction, so it is kept exactly when the change is."""
    session.add(StaffAction(actor=actor, action=action, subject_type=subject_type,
                            subject=subject, detail=detail[:2000]))


