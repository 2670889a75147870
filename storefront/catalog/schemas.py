"""Catalogue API schemas."""

import marshmallow as ma

from ..media.schemas import ImageSchema
from ..schemas import LinkSchema, MoneySchema

# Stripe's own ceiling for one amount (99,999,999 minor units, $999,999.99); with at most
# 99 units a line, no line or order total comes anywhere near a 64-bit integer.
MAX_PRICE = 99_999_999
MAX_STOCK = 1_000_000


class VariantSchema(ma.Schema):
    """A buyable variant of a product."""

    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    resistance = ma.fields.String(required=True, metadata={
        "description": "A band's resistance (its Resistance option); empty for others."})
    options = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True,
                             metadata={"description": "A value for each of the product's "
                                                      "options.",
                                       "example": {"Resistance": "Medium"}})
    price = ma.fields.Nested(MoneySchema, required=True)
    compare_at_price = ma.fields.Nested(MoneySchema, allow_none=True, required=True, metadata={
        "description": "The higher price this one saves on, or null."})
    in_stock = ma.fields.Boolean(required=True)
    available = ma.fields.Integer(required=True, metadata={"description": "Units in stock."})


class RatingSchema(ma.Schema):
    """Average and count of approved reviews."""

    average = ma.fields.Float(allow_none=True, required=True)
    count = ma.fields.Integer(required=True)


class ProductSummarySchema(ma.Schema):
    """A product as it appears in lists."""

    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={
        "description": "The noun its pages use: band, ball, set.", "example": "band"})
    options = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "The names its variants differ by.", "example": ["Resistance"]})
    url = ma.fields.String(required=True)
    image_url = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "A JPEG or PNG of the product (its first picture's), for link "
                       "previews; the shop's drawing when it has no picture."})
    images = ma.fields.List(ma.fields.Nested(ImageSchema), required=True, metadata={
        "description": "The product's pictures in gallery order, each with WebP "
                       "renditions for `srcset`."})
    price_from = ma.fields.Nested(MoneySchema, allow_none=True, required=True)
    in_stock = ma.fields.Boolean(required=True)


class ProductSchema(ProductSummarySchema):
    """A product with its variants, the exercises it supports and its rating."""

    description = ma.fields.String(required=True)
    variants = ma.fields.List(ma.fields.Nested(VariantSchema), required=True)
    exercises = ma.fields.List(ma.fields.Nested(LinkSchema), required=True)
    rating = ma.fields.Nested(RatingSchema, required=True)
