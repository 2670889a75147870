"""Schemas for what visitors write and what moderators see."""

import marshmallow as ma

from ..schemas import InputEmail, InputSchema, InputString, StrictSchema
from .models import ModerationStatus


def not_blank(value: str) -> None:
    """Spaces alone are not text."""
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


class SubmissionCreateFields(StrictSchema):
    """Fields every visitor submission has."""

    body = InputString(required=True, min_length=1, max_length=5000, validate=not_blank)
    author_name = InputString(required=True, min_length=1, max_length=80, validate=not_blank)
    email = InputEmail(required=True, metadata={"description": "Kept for moderation; never shown."})


class SubmissionAcceptedSchema(ma.Schema):
    """Received; it appears once a moderator approves it."""

    id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"example": ModerationStatus.PENDING})


class TargetSchema(ma.Schema):
    """What an item is about."""

    type = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)


class ModerationItemSchema(ma.Schema):
    """An item in the moderation queue."""

    kind = ma.fields.String(required=True)
    id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)
    target = ma.fields.Nested(TargetSchema, required=True)
    author_name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    rating = ma.fields.Integer(allow_none=True)
    verified_purchase = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)
    spam_score = ma.fields.Float(required=True)
    spam_reasons = ma.fields.List(ma.fields.String(), required=True)
    moderation_reason = ma.fields.String(required=True)


class ModerationQueryArgsSchema(InputSchema):
    """Filters of the queue."""

    status = ma.fields.String(load_default=ModerationStatus.PENDING, validate=ma.validate.OneOf(
        [*ModerationStatus, "all"]))
    kind = InputString(load_default=None, max_length=20)
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))
    cursor = InputString(load_default=None, max_length=500)


class ModerationActionSchema(StrictSchema):
    """A moderator's decision."""

    action = ma.fields.String(required=True, validate=ma.validate.OneOf(
        ["approve", "reject", "spam", "unpublish"]))
    reason = InputString(load_default="", max_length=1000)


def item_dict(item) -> dict:
    """The staff view of an item (email included: staff only)."""
    return {
        "kind": item.kind, "id": item.id, "status": item.status,
        "target": {"type": item.target_type, "slug": item.target_slug,
                   "title": item.target_title},
        "author_name": item.author_name, "email": item.email, "title": item.title,
        "body": item.body, "rating": item.rating, "verified_purchase": item.verified_purchase,
        "created_at": item.created_at, "spam_score": item.spam_score,
        "spam_reasons": list(item.spam_reasons or []),
        "moderation_reason": item.moderation_reason,
    }
