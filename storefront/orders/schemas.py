"""Order API schemas."""

import marshmallow as ma

from ..schemas import InputSchema, InputString, MoneySchema
from .models import OrderStatus


class OrderLineSchema(ma.Schema):
    """A line of an order, as it was at checkout."""

    sku = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True)
    unit_price = ma.fields.Nested(MoneySchema, required=True)
    line_total = ma.fields.Nested(MoneySchema, required=True)


class OrderSchema(ma.Schema):
    """An order and where it stands."""

    number = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(OrderStatus)))
    email = ma.fields.String(required=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema), required=True)
    total = ma.fields.Nested(MoneySchema, required=True)
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
