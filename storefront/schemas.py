"""Schemas shared by every module's API: money and links."""

import marshmallow as ma


class StrictSchema(ma.Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class MoneySchema(ma.Schema):
    """An amount in minor units, its currency and a display form."""

    amount = ma.fields.Integer(required=True, metadata={"description": "Minor units (cents)."})
    currency = ma.fields.String(required=True, metadata={"example": "usd"})
    formatted = ma.fields.String(required=True, metadata={"example": "$24.99"})


class LinkSchema(ma.Schema):
    """A link to a product, exercise or article."""

    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
