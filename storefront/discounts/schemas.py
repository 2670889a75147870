"""Staff API schemas for discount codes."""

from __future__ import annotations

from datetime import UTC

import marshmallow as ma

from ..catalog.schemas import MAX_PRICE
from ..schemas import InputString, MoneySchema, StrictSchema

# Far above any campaign, and within the columns' 32-bit integers.
MAX_USES = 1_000_000_000
CODE_INPUT = r"^[A-Za-z0-9_-]{3,40}$"


def _count(**kwargs):
    return ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                             validate=ma.validate.Range(min=1, max=MAX_USES), **kwargs)


def _when(**kwargs):
    return ma.fields.AwareDateTime(default_timezone=UTC, load_default=None, allow_none=True,
                                   **kwargs)


class DiscountCodeInputSchema(StrictSchema):
    """A discount code: a percentage or a fixed amount (minor units of the shop's
    currency) off the goods, with optional limits."""

    code = InputString(required=True, max_length=40, validate=ma.validate.Regexp(
        CODE_INPUT, error="3 to 40 letters, digits, - or _."), metadata={
        "description": "Case-insensitive; kept upper case.", "example": "SPRING-10"})
    percent_off = ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                                    validate=ma.validate.Range(min=1, max=100),
                                    metadata={"example": 10})
    amount_off = ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                                   validate=ma.validate.Range(min=1, max=MAX_PRICE))
    min_subtotal = ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                                     validate=ma.validate.Range(min=0, max=MAX_PRICE))
    starts_at = _when()
    ends_at = _when()
    max_uses = _count(metadata={"description": "Orders that may use it in all."})
    max_uses_per_email = _count(metadata={"description": "Orders one email may use it for."})
    source = InputString(max_length=200, load_default=None, allow_none=True, metadata={
        "description": "What the code belongs to: `article:<slug>` of a published article "
                       "or `campaign:<name>` (else 422, reason `unknown_source`)."})
    active = ma.fields.Boolean(load_default=True)

    @ma.validates_schema
    def one_kind(self, data, **kwargs):
        """A code takes a percentage or an amount off, never both."""
        if data.get("percent_off") is not None and data.get("amount_off") is not None:
            raise ma.ValidationError("Give either percent_off or amount_off, not both.",
                                     "percent_off")


class DiscountCodePatchSchema(DiscountCodeInputSchema):
    """Some fields of a code (those left out keep their values; the code itself stays)."""

    class Meta:
        exclude = ("code",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "partial": True})


class CodeSalesSchema(ma.Schema):
    """What the code's paid and fulfilled orders brought in."""

    orders = ma.fields.Integer(required=True)
    revenue = ma.fields.Nested(MoneySchema, required=True, metadata={
        "description": "The goods less the discount, net of partial refunds, as the "
                       "attribution report counts revenue."})
    discounted = ma.fields.Nested(MoneySchema, required=True, metadata={
        "description": "What the code took off those orders."})


class DiscountCodeSchema(ma.Schema):
    """A discount code as staff set it up, with its uses and what it brought in."""

    sales = ma.fields.Nested(CodeSalesSchema, required=True)

    code = ma.fields.String(required=True)
    percent_off = ma.fields.Integer(allow_none=True, required=True)
    amount_off = ma.fields.Integer(allow_none=True, required=True)
    currency = ma.fields.String(required=True)
    min_subtotal = ma.fields.Integer(allow_none=True, required=True)
    starts_at = ma.fields.DateTime(allow_none=True, required=True)
    ends_at = ma.fields.DateTime(allow_none=True, required=True)
    max_uses = ma.fields.Integer(allow_none=True, required=True)
    max_uses_per_email = ma.fields.Integer(allow_none=True, required=True)
    used = ma.fields.Integer(required=True, metadata={
        "description": "Orders holding a use (a cancelled order gives its use back)."})
    remaining = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "Uses left; null when there is no limit."})
    source = ma.fields.String(allow_none=True, required=True)
    active = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)


class DiscountCodeListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DiscountCodeSchema), required=True)
