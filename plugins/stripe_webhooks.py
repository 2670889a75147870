"""Stripe webhooks: check the signature and say what the event means for an order.

No API calls are made here: the signature is checked with the SDK's
`WebhookSignature.verify_header` against the raw body, and the event is read as
plain JSON.
"""

from __future__ import annotations

import json
from typing import Any

import stripe

from plugins.hookspecs import hookimpl
from plugins.types import Address, PaymentEvent, WebhookVerificationError

PROVIDER = "stripe"
SIGNATURE_HEADER = "stripe-signature"
TOLERANCE = stripe.Webhook.DEFAULT_TOLERANCE  # seconds a signature stays valid (300)

# Checkout Session events and what they mean, apart from `checkout.session.completed`,
# whose meaning depends on the session's payment status.
SESSION_EVENT_KINDS = {
    "checkout.session.async_payment_succeeded": "paid",
    "checkout.session.async_payment_failed": "failed",
    "checkout.session.expired": "expired",
}
PAID_STATUSES = {"paid", "no_payment_required"}


def verified_event(payload: bytes, headers: dict, secret: str) -> dict[str, Any]:
    """The event in `payload` once its signature is checked; raises WebhookVerificationError."""
    signature = headers.get(SIGNATURE_HEADER) or next(
        (value for name, value in headers.items() if name.lower() == SIGNATURE_HEADER), None)
    if not signature:
        raise WebhookVerificationError("no Stripe-Signature header")
    if not secret:
        raise WebhookVerificationError("no webhook secret is configured for Stripe")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, TOLERANCE)
    except stripe.SignatureVerificationError as error:
        raise WebhookVerificationError(f"bad Stripe signature: {error.user_message}") from error
    except (UnicodeDecodeError, ValueError) as error:
        raise WebhookVerificationError("webhook body is not UTF-8 text") from error
    try:
        event = json.loads(payload)
    except ValueError as error:
        raise WebhookVerificationError("webhook body is not JSON") from error
    if (not isinstance(event, dict) or not isinstance(event.get("id"), str)
            or not isinstance(event.get("type"), str)
            or not isinstance((event.get("data") or {}).get("object"), dict)):
        raise WebhookVerificationError("webhook body is not a Stripe event")
    return event


def _order_number(obj: dict[str, Any]) -> str | None:
    metadata = obj.get("metadata") or {}
    return obj.get("client_reference_id") or metadata.get("order_number") or None


def _id_of(value) -> str | None:
    """An expandable field's id, whether Stripe sent the id or the object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def _int_or_none(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def session_figures(session: dict[str, Any]) -> dict[str, Any]:
    """A completed Checkout Session's own figures: the goods, shipping, tax and discount,
    the shipping rate chosen and the address, as `PaymentEvent` fields.

    The address is `collected_information.shipping_details` (API versions from
    2025-03-31) or `shipping_details` (before); the phone is the customer's."""
    totals = session.get("total_details") or {}
    cost = session.get("shipping_cost") or {}
    collected = session.get("collected_information") or {}
    details = collected.get("shipping_details") or session.get("shipping_details") or {}
    place = details.get("address") or {}
    address = None
    if place.get("country"):
        phone = (session.get("customer_details") or {}).get("phone") or ""
        address = Address(name=details.get("name") or "", line1=place.get("line1") or "",
                          line2=place.get("line2") or "", city=place.get("city") or "",
                          postal_code=place.get("postal_code") or "",
                          region=place.get("state") or "", country=place["country"],
                          phone=phone)
    return {"amount_subtotal": _int_or_none(session.get("amount_subtotal")),
            "shipping_amount": _int_or_none(totals.get("amount_shipping",
                                                       cost.get("amount_total"))),
            "tax_amount": _int_or_none(totals.get("amount_tax")),
            "discount_amount": _int_or_none(totals.get("amount_discount")),
            "shipping_rate": _id_of(cost.get("shipping_rate")),
            "shipping_address": address}


def to_payment_event(event: dict[str, Any]) -> PaymentEvent:
    """Map a verified Stripe event onto a PaymentEvent."""
    event_type = event["type"]
    obj = event["data"]["object"]
    common = {"provider": PROVIDER, "event_id": event["id"], "raw_type": event_type,
              "created": event.get("created")}

    if event_type.startswith("checkout.session."):
        payment_status = obj.get("payment_status")
        if event_type == "checkout.session.completed":
            # A completion without payment (a delayed method such as a bank debit) pays
            # nothing yet; the async_payment_* events follow.
            kind = "paid" if payment_status in PAID_STATUSES else "ignored"
        else:
            kind = SESSION_EVENT_KINDS.get(event_type, "ignored")
        figures = session_figures(obj) if kind == "paid" else {}
        return PaymentEvent(
            **common, kind=kind, order_number=_order_number(obj), session_id=obj.get("id"),
            payment_status=payment_status, amount=obj.get("amount_total"),
            currency=obj.get("currency"), payment_intent=_id_of(obj.get("payment_intent")),
            **figures)

    if event_type == "charge.refunded":
        amount = obj.get("amount") or 0
        refunded = obj.get("amount_refunded") or 0
        kind = "refunded" if refunded >= amount else "partially_refunded"
        return PaymentEvent(
            **common, kind=kind, order_number=_order_number(obj), session_id=None,
            amount=refunded, currency=obj.get("currency"),
            payment_intent=_id_of(obj.get("payment_intent")))

    return PaymentEvent(**common, kind="ignored")


@hookimpl
def verify_webhook(provider, payload, headers, settings):
    """Check a Stripe webhook and turn it into a PaymentEvent."""
    if provider != PROVIDER:
        return None
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    event = verified_event(bytes(payload), headers or {}, settings.webhook_secret)
    return to_payment_event(event)
