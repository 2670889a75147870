"""Catalogue API schemas."""

import marshmallow as ma

from ..schemas import LinkSchema, MoneySchema


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


class VariantUpdateSchema(ma.Schema):
    """Staff change to a variant's stock or price."""

    class Meta:
        unknown = ma.RAISE

    stock = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=1_000_000))
    price = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=100_000_000),
                              metadata={"description": "New price in minor units."})


class StaffVariantSchema(ma.Schema):
    """A variant as staff see it."""

    sku = ma.fields.String(required=True)
    product_slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    price = ma.fields.Nested(MoneySchema, required=True)
    stock = ma.fields.Integer(required=True)
