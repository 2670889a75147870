"""Order API schemas."""

import marshmallow as ma

from ..media.schemas import ThumbnailSchema
from ..schemas import InputSchema, InputString, MoneySchema
from .models import OrderStatus


class OrderLineSchema(ma.Schema):
    """A line of an order, as it was at checkout."""

    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True)
    unit_price = ma.fields.Nested(MoneySchema, required=True)
    line_total = ma.fields.Nested(MoneySchema, required=True)
    thumbnail = ma.fields.Nested(ThumbnailSchema, allow_none=True, required=True, metadata={
        "description": "A small picture of the product (`{url, alt}`), or null."})


class AddressSchema(ma.Schema):
    """Where an order ships to; `country` is an ISO 3166-1 alpha-2 code."""

    name = ma.fields.String(required=True)
    line1 = ma.fields.String(required=True)
    line2 = ma.fields.String(allow_none=True, required=True)
    city = ma.fields.String(required=True)
    postal_code = ma.fields.String(required=True)
    region = ma.fields.String(allow_none=True, required=True)
    country = ma.fields.String(required=True, metadata={"example": "US"})
    phone = ma.fields.String(allow_none=True, required=True)


class ShippingChoiceSchema(ma.Schema):
    """The shipping method chosen on the payment page, and what it cost."""

    method = ma.fields.String(allow_none=True, required=True, metadata={"example": "Standard"})
    amount = ma.fields.Nested(MoneySchema, required=True)


class TaxSchema(MoneySchema):
    """The order's tax; `inclusive`: already part of the prices, not added to them."""

    inclusive = ma.fields.Boolean(required=True)


class DiscountSchema(ma.Schema):
    """A discount code applied to the order, and what it took off."""

    code = ma.fields.String(allow_none=True, required=True)
    amount = ma.fields.Nested(MoneySchema, required=True)


class FulfilmentSchema(ma.Schema):
    """A parcel sent for the order."""

    carrier = ma.fields.String(required=True)
    tracking_number = ma.fields.String(required=True)
    tracking_url = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class OrderSchema(ma.Schema):
    """An order and where it stands. `total` = `subtotal` + `shipping` + `tax` (unless
    inclusive) - `discount`: what the payment provider charged."""

    number = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(OrderStatus)))
    email = ma.fields.String(required=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema), required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)
    shipping = ma.fields.Nested(ShippingChoiceSchema, allow_none=True, required=True)
    tax = ma.fields.Nested(TaxSchema, required=True)
    discount = ma.fields.Nested(DiscountSchema, allow_none=True, required=True)
    total = ma.fields.Nested(MoneySchema, required=True)
    refunded_total = ma.fields.Nested(MoneySchema, required=True)
    shipping_address = ma.fields.Nested(AddressSchema, allow_none=True, required=True)
    fulfilments = ma.fields.List(ma.fields.Nested(FulfilmentSchema), required=True)
    created_at = ma.fields.DateTime(required=True)
    paid_at = ma.fields.DateTime(allow_none=True, required=True)


class OrderTokenHeaderSchema(InputSchema):
    """The order's secret token, given once at checkout."""

    class Meta:
        unknown = ma.EXCLUDE

    token = InputString(data_key="X-Order-Token", load_default=None, max_length=200)


class WebhookResultSchema(ma.Schema):
    """What the shop did with an event."""

    received = ma.fields.Boolean(required=True)
    outcome = ma.fields.String(required=True)
