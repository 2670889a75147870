"""Staff API schemas for exercises and articles: what editors send and what they read."""

from __future__ import annotations

from datetime import UTC

import marshmallow as ma

from storefront.plugin_api import (
    InputSchema,
    PageArgsSchema,
    StaffImageSchema,
    image_json,
    page_schema,
)

from .models import ARTICLE_STATUSES, EXERCISE_STATUSES, LINK_ROLES
from .urls import page_url

SLUG_FIELD = {"description": "The page address: lower-case letters, digits and hyphens.",
              "example": "banded-clamshell"}


class StaffExerciseProductSchema(InputSchema):
    """A product an exercise uses: required or optional gear, and the variant to start with."""

    slug = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120),
                            metadata={"description": "The product's slug."})
    role = ma.fields.String(load_default="required", validate=ma.validate.OneOf(LINK_ROLES))
    recommended_sku = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=64),
        metadata={"description": "A SKU of this product; the exercise page says to start "
                                 "with it and its link opens the product with it chosen."})


class StaffExerciseCreateSchema(InputSchema):
    """A new exercise."""

    slug = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120),
                            metadata=SLUG_FIELD)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200),
                            metadata={"description": "The title readers see."})
    summary = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))
    steps = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=2000)),
                           load_default=list, validate=ma.validate.Length(max=50))
    muscles = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=100)),
                             load_default=list, validate=ma.validate.Length(max=30))
    safety = ma.fields.String(load_default="", validate=ma.validate.Length(max=4000),
                              metadata={"description": "The safety note."})
    status = ma.fields.String(load_default="draft", validate=ma.validate.OneOf(
        EXERCISE_STATUSES), metadata={"description": "Only `published` exercises are public."})
    products = ma.fields.List(ma.fields.Nested(StaffExerciseProductSchema), load_default=list,
                              validate=ma.validate.Length(max=20))


class StaffExerciseUpdateSchema(StaffExerciseCreateSchema):
    """The fields of an exercise to change; those left out stay as they are."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class StaffExerciseSchema(ma.Schema):
    """An exercise as editors see it, in any status."""

    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    steps = ma.fields.List(ma.fields.String(), required=True)
    muscles = ma.fields.List(ma.fields.String(), required=True)
    safety = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    products = ma.fields.List(ma.fields.Nested(StaffExerciseProductSchema), required=True)
    image = ma.fields.Nested(StaffImageSchema, allow_none=True, required=True, metadata={
        "description": "The exercise's picture, or null: upload one to "
                       "`POST /staff/exercises/{slug}/image`."})
    version = ma.fields.Integer(required=True, metadata={
        "description": "The same number as the ETag: send it back as If-Match."})
    updated_at = ma.fields.DateTime(required=True)
    url = ma.fields.String(required=True, metadata={"description": "Its public page."})


class StaffArticleCreateSchema(InputSchema):
    """A new article, written in Markdown with shortcodes."""

    slug = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120),
                            metadata=SLUG_FIELD)
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    summary = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))
    body_markdown = ma.fields.String(load_default="", validate=ma.validate.Length(max=200_000),
                                     metadata={"description": "Markdown; `[[exercise:slug]]` "
                                               "or `[[product:slug]]` alone on a line "
                                               "becomes a linked card."})
    status = ma.fields.String(load_default="draft", validate=ma.validate.OneOf(
        ARTICLE_STATUSES), metadata={"description": "`scheduled` goes public by itself when "
                                                    "`published_at` passes."})
    published_at = ma.fields.AwareDateTime(load_default=None, allow_none=True,
                                           default_timezone=UTC, metadata={
        "description": "When it goes (or went) public; needed for `scheduled`, set to now "
                       "for `published` when left out. Without a zone it is UTC."})


class StaffArticleUpdateSchema(StaffArticleCreateSchema):
    """The fields of an article to change; those left out stay as they are."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class StaffArticleSchema(ma.Schema):
    """An article as editors see it, in any status."""

    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    body_markdown = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    published_at = ma.fields.DateTime(allow_none=True, required=True)
    public = ma.fields.Boolean(required=True, metadata={
        "description": "Whether readers can see it now."})
    version = ma.fields.Integer(required=True, metadata={
        "description": "The same number as the ETag: send it back as If-Match."})
    updated_at = ma.fields.DateTime(required=True)
    url = ma.fields.String(required=True, metadata={"description": "Its public page."})


StaffExercisePageSchema = page_schema(StaffExerciseSchema, "StaffExercisePage")
StaffArticlePageSchema = page_schema(StaffArticleSchema, "StaffArticlePage")
StaffPageArgsSchema = PageArgsSchema


def staff_exercise_dict(exercise) -> dict:
    """An exercise in the staff API's shape."""
    from .editing import exercise_values
    image = image_json(exercise.image) if exercise.image else None
    return {**exercise_values(exercise), "image": image, "version": exercise.version,
            "updated_at": exercise.updated_at, "url": page_url("exercise", exercise.slug)}


def staff_article_dict(article, now) -> dict:
    """An article in the staff API's shape; `now` decides whether it is public yet."""
    from .editing import article_values
    public = (article.status in ("published", "scheduled") and article.published_at is not None
              and article.published_at <= now)
    return {**article_values(article), "public": public, "version": article.version,
            "updated_at": article.updated_at, "url": page_url("article", article.slug)}
