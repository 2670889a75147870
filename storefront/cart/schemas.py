"""Cart API schemas."""

import marshmallow as ma

from ..attribution.services import SOURCE_PATTERN, is_source
from ..media.schemas import ThumbnailSchema
from ..schemas import InputEmail, InputString, MoneySchema, StrictSchema
from .models import MAX_LINE_QUANTITY


class CartLineSchema(ma.Schema):
    """A line of a cart."""

    id = ma.fields.Integer(required=True, metadata={"example": 7})
    sku = ma.fields.String(required=True, metadata={"example": "BB-MEDIUM"})
    product_slug = ma.fields.String(required=True, metadata={"example": "better-band"})
    name = ma.fields.String(required=True, metadata={"example": "Better Band – Medium"})
    quantity = ma.fields.Integer(required=True, metadata={"example": 2})
    unit_price = ma.fields.Nested(MoneySchema, required=True)
    line_total = ma.fields.Nested(MoneySchema, required=True)
    source = ma.fields.String(allow_none=True, required=True)
    thumbnail = ma.fields.Nested(ThumbnailSchema, allow_none=True, required=True, metadata={
        "description": "A small picture of the product (`{url, alt}`), or null."})


class ShippingOptionSchema(ma.Schema):
    """A shipping method and what it would cost this cart (0 when free above a subtotal)."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True, metadata={"example": "Standard"})
    amount = ma.fields.Nested(MoneySchema, required=True)
    estimate = ma.fields.String(required=True, metadata={"example": "3-5 business days"})
    countries = ma.fields.List(ma.fields.String(), required=True,
                               metadata={"example": ["US", "CA"]})


class CartDiscountSchema(ma.Schema):
    """The code applied to a cart and what it takes off the goods now."""

    code = ma.fields.String(required=True, metadata={"example": "SPRING-10"})
    amount = ma.fields.Nested(MoneySchema, required=True, metadata={
        "description": "Off the subtotal (never off shipping); 0 when the code no longer "
                       "applies."})
    reason = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "Why the code no longer applies (`discount_below_minimum`, "
                       "`discount_expired` ...), or null.",
        "example": None})
    message = ma.fields.String(allow_none=True, required=True)


class CartSchema(ma.Schema):
    """A cart; a new or emptied one has no lines, zero subtotal and `is_empty: true`."""

    token = ma.fields.String(required=True, metadata={
        "description": "The cart's key: keep it to read, change and check out the cart.",
        "example": "b3N0b3JlZnJvbnQgY2FydCB0b2tlbiBleGFtcGxlIDE"})
    lines = ma.fields.List(ma.fields.Nested(CartLineSchema), required=True)
    item_count = ma.fields.Integer(required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)
    discount = ma.fields.Nested(CartDiscountSchema, allow_none=True, required=True)
    is_empty = ma.fields.Boolean(required=True)
    shipping_options = ma.fields.List(
        ma.fields.Nested(ShippingOptionSchema), required=True,
        metadata={"description": "What shipping would cost; the address and the choice "
                  "are made on the payment page."})


def is_source_shaped(value: str) -> None:
    """`article:<slug>`, `exercise:<slug>`, `campaign:<name>` or `direct`, the whole value
    (no trailing newline)."""
    if not is_source(value):
        raise ma.ValidationError("Use article:<slug>, exercise:<slug>, campaign:<name> "
                                 "or direct.")


class CartLineCreateSchema(StrictSchema):
    """Add units of a variant."""

    sku = InputString(required=True, min_length=1, max_length=64)
    quantity = ma.fields.Integer(
        strict=True, load_default=1,
        validate=ma.validate.Range(min=1, max=MAX_LINE_QUANTITY))
    source = InputString(
        max_length=160, load_default=None, allow_none=True, validate=is_source_shaped,
        metadata={"description": "What led here: `article:<slug>` or `exercise:<slug>` of "
                                 "published content (anything else is a 422 with reason "
                                 "`unknown_source`), `campaign:<name>` (lower case "
                                 "`[a-z0-9._-]`), or `direct`. It is added to the cart's "
                                 "journey as a touch.",
                  "pattern": SOURCE_PATTERN})


class CartLineUpdateSchema(StrictSchema):
    """Set a line's quantity; 0 removes it."""

    quantity = ma.fields.Integer(strict=True, required=True,
                                 validate=ma.validate.Range(min=0, max=MAX_LINE_QUANTITY))


class CheckoutSchema(StrictSchema):
    """Who is buying."""

    email = InputEmail(required=True)


class DiscountApplySchema(StrictSchema):
    """A discount code, as the shopper typed it (any case)."""

    code = InputString(required=True, min_length=1, max_length=40,
                       metadata={"example": "SPRING-10"})


class CheckoutResultSchema(ma.Schema):
    """The order waiting for payment, its token (shown once) and where to pay."""

    order_number = ma.fields.String(required=True)
    order_token = ma.fields.String(required=True)
    checkout_url = ma.fields.String(required=True)
    payment_provider = ma.fields.String(required=True)
