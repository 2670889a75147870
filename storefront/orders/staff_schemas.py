"""Order desk API schemas, and the staff's view of an order as the API answers it."""

from __future__ import annotations

import marshmallow as ma

from ..money import Money
from ..pagination import PageArgsSchema, page_schema
from ..schemas import InputString, MoneySchema, StrictSchema
from .models import Order, OrderStatus
from .presenters import order_dict
from .schemas import OrderLineSchema, OrderSchema
from .services import OrderRecord, RefundStatus, refundable

# Far above any order (Stripe's own ceiling for one amount is 99,999,999 minor units), and
# far below what a 64-bit column holds.
MAX_REFUND_AMOUNT = 10**12
HTTP_URL = ma.validate.URL(relative=False, schemes={"http", "https"},
                           error="Must be an http:// or https:// address.")


def http_address(value: str) -> None:
    """Empty, or a web address (a tracking link is shown to the shopper as a link)."""
    if value:
        HTTP_URL(value)


class StaffOrderQueryArgsSchema(PageArgsSchema):
    """Which orders: by status, by a part of the number or email, by the day placed (UTC)."""

    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(list(OrderStatus)))
    q = InputString(load_default=None, max_length=254, metadata={
        "description": "A part of the order number or of the shopper's email."})
    since = ma.fields.Date(load_default=None, metadata={"description": "Placed on or after."})
    until = ma.fields.Date(load_default=None, metadata={"description": "Placed on or before."})

    @ma.validates_schema
    def ordered(self, data, **kwargs):
        """A range that ends before it starts is a mistake."""
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ma.ValidationError("`since` must not be after `until`.", "since")


class StaffOrderSummarySchema(ma.Schema):
    """An order in the desk's list."""

    number = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(OrderStatus)))
    email = ma.fields.String(required=True)
    total = ma.fields.Nested(MoneySchema, required=True)
    refunded_total = ma.fields.Nested(MoneySchema, required=True)
    created_at = ma.fields.DateTime(required=True)
    flag = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "Why staff must look at this order; null when all is well."})


StaffOrderPageSchema = page_schema(StaffOrderSummarySchema, "StaffOrderPage")


class StaffOrderLineSchema(OrderLineSchema):
    """A line as bought, with the content that led to it."""

    source = ma.fields.String(allow_none=True, required=True,
                              metadata={"example": "article:<slug>"})


class StaffRefundSchema(ma.Schema):
    """Money given back on an order, and where the refund stands."""

    id = ma.fields.Integer(required=True)
    amount = ma.fields.Nested(MoneySchema, required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(RefundStatus)),
                              metadata={"description": "`pending` while the provider "
                                        "settles it; `failed` refunds count for nothing."})
    created_at = ma.fields.DateTime(required=True)


class StaffRefundResultSchema(StaffRefundSchema):
    """A refund just made, and what it left of the order."""

    order_status = ma.fields.String(required=True)
    refunded_total = ma.fields.Nested(MoneySchema, required=True)
    refundable = ma.fields.Nested(MoneySchema, required=True)


class StaffPaymentEventSchema(ma.Schema):
    """An event the payment provider sent about the order, and what the shop did with it."""

    event_id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    outcome = ma.fields.String(required=True)
    received_at = ma.fields.DateTime(required=True)


class StaffMessageSchema(ma.Schema):
    """An email about the order, and whether it went."""

    topic = ma.fields.String(required=True)
    recipient = ma.fields.String(required=True)
    subject = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"example": "sent"})
    attempts = ma.fields.Integer(required=True)
    last_error = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    sent_at = ma.fields.DateTime(allow_none=True, required=True)


class StaffAuditSchema(ma.Schema):
    """A line of the audit log."""

    actor = ma.fields.String(required=True)
    action = ma.fields.String(required=True)
    detail = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class StaffOrderSchema(OrderSchema):
    """An order as the desk sees it: the shopper's view, plus the content each line came
    from, refunds, the payment provider's events, the emails and the audit log."""

    lines = ma.fields.List(ma.fields.Nested(StaffOrderLineSchema), required=True)
    refundable = ma.fields.Nested(MoneySchema, required=True, metadata={
        "description": "What may still be refunded (0 unless paid or fulfilled)."})
    refunds = ma.fields.List(ma.fields.Nested(StaffRefundSchema), required=True)
    payment_provider = ma.fields.String(required=True)
    flag = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "Why staff must look at this order; null when all is well."})
    fulfilled_at = ma.fields.DateTime(allow_none=True, required=True)
    cancelled_at = ma.fields.DateTime(allow_none=True, required=True)
    refunded_at = ma.fields.DateTime(allow_none=True, required=True)
    events = ma.fields.List(ma.fields.Nested(StaffPaymentEventSchema), required=True)
    messages = ma.fields.List(ma.fields.Nested(StaffMessageSchema), required=True)
    actions = ma.fields.List(ma.fields.Nested(StaffAuditSchema), required=True,
                             metadata={"description": "What staff did to the order."})


class StaffFulfilmentCreateSchema(StrictSchema):
    """The parcel sent: all optional."""

    carrier = InputString(load_default="", max_length=80, metadata={"example": "UPS"})
    tracking_number = InputString(load_default="", max_length=120)
    tracking_url = InputString(load_default="", max_length=500, validate=http_address,
                               metadata={"description": "An http:// or https:// address."})


class StaffRefundCreateSchema(StrictSchema):
    """How much to give back."""

    amount = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(
        min=1, max=MAX_REFUND_AMOUNT), metadata={
        "description": "Minor units of the order's currency, at most what remains."})


def _money(amount: int, order: Order) -> dict:
    return Money(amount, order.currency).as_dict()


def staff_order_summary(order: Order) -> dict:
    """An order in the desk's list."""
    return {"number": order.number, "status": order.status, "email": order.email,
            "total": _money(order.total_amount, order), "flag": order.flag or None,
            "refunded_total": _money(order.refunded_amount, order),
            "created_at": order.created_at}


def refund_dict(refund) -> dict:
    """A refund, as the API shows it."""
    return {"id": refund.id, "amount": Money(refund.amount, refund.currency).as_dict(),
            "status": refund.status, "created_at": refund.created_at}


def refund_result(refund, order: Order) -> dict:
    """A refund just made, with what it left of its order."""
    return {**refund_dict(refund), "order_status": order.status,
            "refunded_total": _money(order.refunded_amount, order),
            "refundable": _money(refundable(order), order)}


def staff_order_dict(record: OrderRecord) -> dict:
    """The desk's order object: the shopper's, and what only staff see."""
    order = record.order
    shopper = order_dict(order)
    return {
        **shopper,
        "lines": [{**seen, "source": line.source}
                  for seen, line in zip(shopper["lines"], order.lines, strict=True)],
        "refundable": _money(refundable(order), order),
        "refunds": [refund_dict(r) for r in order.refunds],
        "payment_provider": order.payment_provider, "flag": order.flag or None,
        "fulfilled_at": order.fulfilled_at, "cancelled_at": order.cancelled_at,
        "refunded_at": order.refunded_at,
        "events": [{"event_id": e.event_id, "kind": e.kind, "type": e.raw_type,
                    "outcome": e.outcome, "received_at": e.received_at}
                   for e in record.events],
        "messages": [{"topic": m.topic, "recipient": m.recipient, "subject": m.subject,
                      "status": m.status, "attempts": m.attempts, "last_error": m.last_error,
                      "created_at": m.created_at, "sent_at": m.sent_at}
                     for m in record.messages],
        "actions": [{"actor": a.actor, "action": a.action, "detail": a.detail,
                     "created_at": a.created_at} for a in record.actions],
    }
