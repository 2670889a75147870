"""Catalogue API schemas."""

import marshmallow as ma

from ..schemas import LinkSchema, MoneySchema, StrictSchema

# Stripe's own ceiling for one amount (99,999,999 minor units, $999,999.99); with at most
# 99 units a line, no line or order total comes anywhere near a 64-bit integer.
MAX_PRICE = 99_999_999
MAX_STOCK = 1_000_000


class VariantSchema(ma.Schema):
    """A buyable variant of a product."""

    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    resistance = ma.fields.String(required=True)
    price = ma.fields.Nested(MoneySchema, required=True)
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
    url = ma.fields.String(required=True)
    image_url = ma.fields.String(allow_none=True, required=True)
    price_from = ma.fields.Nested(MoneySchema, allow_none=True, required=True)
    in_stock = ma.fields.Boolean(required=True)


class ProductSchema(ProductSummarySchema):
    """A product with its variants, the exercises it supports and its rating."""

    description = ma.fields.String(required=True)
    variants = ma.fields.List(ma.fields.Nested(VariantSchema), required=True)
    exercises = ma.fields.List(ma.fields.Nested(LinkSchema), required=True)
    rating = ma.fields.Nested(RatingSchema, required=True)


class VariantUpdateSchema(StrictSchema):
    """Staff change to a variant's stock or price."""

    stock = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=MAX_STOCK),
                              metadata={"description": f"Units in stock, 0-{MAX_STOCK:,}."})
    price = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=MAX_PRICE),
                              metadata={"description": "New price in minor units, "
                                                       f"0-{MAX_PRICE:,}."})


class StaffVariantSchema(ma.Schema):
    """A variant as staff see it."""

    sku = ma.fields.String(required=True)
    product_slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    price = ma.fields.Nested(MoneySchema, required=True)
    stock = ma.fields.Integer(required=True)
