"""Content API schemas."""

import marshmallow as ma

from storefront.plugin_api import ImageSchema, LinkSchema


class ExerciseProductSchema(ma.Schema):
    """A product an exercise uses, and whether it is needed."""

    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    sku = ma.fields.String(allow_none=True, required=True,
                           metadata={"description": "Recommended variant (the same as "
                                                    "`recommended_sku`, kept for older clients)."})
    recommended_sku = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "The variant to start with; `?sku=` with it on the product page "
                       "opens the page with that variant chosen."})
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(["required", "optional"]))
    url = ma.fields.String(required=True)


class ArticleLinkSchema(ma.Schema):
    """A link to an article."""

    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    url = ma.fields.String(required=True)


class ExerciseSummarySchema(ma.Schema):
    """An exercise as it appears in lists."""

    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    url = ma.fields.String(required=True)


class ExerciseSchema(ExerciseSummarySchema):
    """An exercise with its steps, muscles, gear and the articles that teach it."""

    steps = ma.fields.List(ma.fields.String(), required=True)
    muscles = ma.fields.List(ma.fields.String(), required=True)
    safety = ma.fields.String(required=True)
    image = ma.fields.Nested(ImageSchema, allow_none=True, required=True, metadata={
        "description": "The exercise's picture, or null."})
    products = ma.fields.List(ma.fields.Nested(ExerciseProductSchema), required=True)
    articles = ma.fields.List(ma.fields.Nested(ArticleLinkSchema), required=True)


class ArticleSummarySchema(ma.Schema):
    """An article as it appears in lists."""

    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    published_at = ma.fields.DateTime(required=True)
    url = ma.fields.String(required=True)


class ArticleSchema(ArticleSummarySchema):
    """An article with its rendered body and what it links to."""

    body_html = ma.fields.String(required=True)
    exercises = ma.fields.List(ma.fields.Nested(LinkSchema), required=True)
    products = ma.fields.List(ma.fields.Nested(LinkSchema), required=True)
    comment_count = ma.fields.Integer(required=True)
