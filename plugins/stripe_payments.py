"""Stripe Checkout: start a payment page, ask about it and close it.

This is the only module that calls the Stripe API. Each call builds its own
`stripe.StripeClient` (with its own HTTP session, closed afterwards), pointed at
`settings.api_base` when one is set, such as a local fake server under tests.
Everything that goes wrong on the way to Stripe comes back as `PaymentProviderError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import stripe

from plugins.hookspecs import hookimpl

if TYPE_CHECKING:  # the SDK's typed parameters, which the dicts built here follow
    from stripe.params import CouponCreateParams, RefundCreateParams
    from stripe.params.checkout import SessionCreateParams
from plugins.stripe_webhooks import session_figures
from plugins.types import (
    CancelResult,
    CheckoutRedirect,
    CheckoutRequest,
    PaymentProviderError,
    PaymentSessionState,
    PaymentSettings,
    RefundResult,
    ShippingOption,
)

PROVIDER = "stripe"

# Network behaviour of every call. The SDK retries connection errors, timeouts,
# 409s and 5xx answers with the same idempotency key, with a short backoff.
MAX_NETWORK_RETRIES = 2
CONNECT_TIMEOUT = 5.0  # seconds
READ_TIMEOUT = 25.0  # seconds
# Stripe keeps a Checkout Session open for at least 30 minutes; a minute more leaves room
# for the clocks of the shop and Stripe to differ.
HOLD_SECONDS = 30 * 60 + 60


def idempotency_key(order_number: str) -> str:
    """The key that makes creating the payment page for an order safe to retry."""
    return f"checkout-{order_number}"


@contextmanager
def stripe_client(settings: PaymentSettings) -> Iterator[stripe.StripeClient]:
    """A client for one piece of work; its HTTP session is closed on the way out."""
    if not settings.secret_key:
        raise PaymentProviderError("Stripe is not configured: no secret key is set")
    http_client = stripe.RequestsClient(timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
    client = stripe.StripeClient(
        settings.secret_key,
        base_addresses={"api": settings.api_base.rstrip("/")} if settings.api_base else {},
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=http_client,
    )
    try:
        yield client
    finally:
        http_client.close()


def describe_error(error: stripe.StripeError, settings: PaymentSettings) -> str:
    """A one-line account of a Stripe error, safe for logs (the secret key is masked)."""
    parts = [type(error).__name__]
    if error.http_status:
        parts.append(f"HTTP {error.http_status}")
    if error.code:
        parts.append(f"code {error.code}")
    text = f"{' '.join(parts)}: {error.user_message or 'no message'}"
    if error.request_id:
        text += f" (request {error.request_id})"
    text = " ".join(text.split())
    if settings.secret_key:
        text = text.replace(settings.secret_key, "***")
    return text


def _line_items(request: CheckoutRequest) -> list[dict[str, Any]]:
    currency = request.currency.lower()
    items = []
    for line in request.lines:
        if line.currency.lower() != currency:
            raise PaymentProviderError(
                f"order {request.order_number}: line {line.sku} is in {line.currency}, "
                f"the order in {request.currency}")
        items.append({
            "price_data": {
                "currency": currency,
                "unit_amount": line.unit_amount,
                "product_data": {"name": line.name, "metadata": {"sku": line.sku}},
            },
            "quantity": line.quantity,
        })
    if not items:
        raise PaymentProviderError(f"order {request.order_number} has no lines to pay for")
    lines_total = sum(line.unit_amount * line.quantity for line in request.lines)
    if lines_total - request.discount_amount != request.total_amount:
        raise PaymentProviderError(
            f"order {request.order_number}: lines add up to {lines_total}, "
            f"the order total is {request.total_amount}")
    return items


def coupon_params(request: CheckoutRequest) -> dict[str, Any]:
    """The parameters of `POST /v1/coupons` for an order's discount: the shop's own figure,
    once, for one redemption. Stripe then shows the discount and applies tax after it."""
    return {"amount_off": request.discount_amount, "currency": request.currency.lower(),
            "duration": "once", "max_redemptions": 1, "name": "Discount",
            "metadata": {"order_number": request.order_number}}


def checkout_session_params(request: CheckoutRequest) -> dict[str, Any]:
    """The parameters of `POST /v1/checkout/sessions` for an order."""
    metadata = {"order_number": request.order_number}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": _line_items(request),
        "client_reference_id": request.order_number,
        "metadata": metadata,
        # The PaymentIntent, and the charges made through it, carry the order number
        # too, so that refunds (which arrive as charge events) can be matched.
        "payment_intent_data": {"metadata": dict(metadata)},
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
    }
    if request.email:
        params["customer_email"] = request.email
    if request.expires_at:
        params["expires_at"] = int(request.expires_at)
    if request.shipping_countries:
        params["shipping_address_collection"] = {
            "allowed_countries": list(request.shipping_countries)}
    if request.shipping_options:
        params["shipping_options"] = [_shipping_option(option, request)
                                      for option in request.shipping_options]
    if request.collect_phone:
        params["phone_number_collection"] = {"enabled": True}
    if request.tax.automatic:
        params["automatic_tax"] = {"enabled": True}
        behavior = "inclusive" if request.tax.inclusive else "exclusive"
        for item in params["line_items"]:
            item["price_data"]["tax_behavior"] = behavior
        for option in params.get("shipping_options", ()):
            option["shipping_rate_data"]["tax_behavior"] = behavior
    return params


def _shipping_option(option: ShippingOption, request: CheckoutRequest) -> dict[str, Any]:
    """A shipping option as `shipping_rate_data`; its metadata names the shop's method."""
    if option.currency.lower() != request.currency.lower():
        raise PaymentProviderError(
            f"order {request.order_number}: shipping {option.name} is in {option.currency}")
    data: dict[str, Any] = {
        "type": "fixed_amount", "display_name": option.name,
        "fixed_amount": {"amount": option.amount, "currency": request.currency.lower()},
        "metadata": {"method_id": option.id},
    }
    if option.min_days or option.max_days:
        data["delivery_estimate"] = {
            bound: {"unit": "business_day", "value": days}
            for bound, days in (("minimum", option.min_days), ("maximum", option.max_days))
            if days}
    return {"shipping_rate_data": data}


def _state(session: dict[str, Any]) -> PaymentSessionState:
    metadata = session.get("metadata") or {}
    return PaymentSessionState(
        **session_figures(session),
        provider=PROVIDER,
        session_id=session["id"],
        order_number=session.get("client_reference_id") or metadata.get("order_number"),
        status=session.get("status") or "",
        payment_status=session.get("payment_status") or "",
        amount_total=session.get("amount_total"),
        payment_intent=_id_of(session.get("payment_intent")),
        currency=session.get("currency"),
    )


@hookimpl
def payment_settings(provider, settings):
    """Stripe's keys, from the shop's STRIPE_* settings."""
    if provider != PROVIDER:
        return None
    return PaymentSettings(secret_key=settings.get("STRIPE_SECRET_KEY") or "",
                           webhook_secret=settings.get("STRIPE_WEBHOOK_SECRET") or "",
                           api_base=settings.get("STRIPE_API_BASE") or "")


@hookimpl
def create_checkout_session(provider, request, settings):
    """Create a Stripe Checkout Session for the order and say where to send the shopper."""
    if provider != PROVIDER:
        return None
    params = checkout_session_params(request)
    try:
        with stripe_client(settings) as client:
            if request.discount_amount:
                coupon = client.v1.coupons.create(
                    cast("CouponCreateParams", coupon_params(request)),
                    {"idempotency_key": f"coupon-{request.order_number}"})
                params["discounts"] = [{"coupon": coupon.id}]
            session = client.v1.checkout.sessions.create(
                cast("SessionCreateParams", params),
                {"idempotency_key": idempotency_key(request.order_number)})
    except stripe.StripeError as error:
        raise PaymentProviderError(
            f"Stripe could not create a checkout session for order {request.order_number}: "
            f"{describe_error(error, settings)}") from error
    data = session.to_dict()
    if not data.get("id") or not data.get("url"):
        raise PaymentProviderError(
            f"Stripe answered without a session id or URL for order {request.order_number}")
    return CheckoutRedirect(provider=PROVIDER, session_id=data["id"], url=data["url"],
                            shipping_rates=_offered_rates(data, request))


def _offered_rates(session: dict[str, Any], request: CheckoutRequest) -> tuple:
    """(Stripe's shipping rate id, the shop's method id) for each option, in order: the
    completed session names the rate chosen by Stripe's id."""
    offered = session.get("shipping_options") or []
    return tuple((_id_of(entry.get("shipping_rate")), option.id)
                 for entry, option in zip(offered, request.shipping_options, strict=False)
                 if _id_of(entry.get("shipping_rate")))


@hookimpl
def payment_hold_seconds(provider):
    """Stock is held as long as a Checkout Session must at least stay open."""
    return HOLD_SECONDS if provider == PROVIDER else None


@hookimpl
def retrieve_checkout_session(provider, session_id, settings):
    """What Stripe says about a Checkout Session now."""
    if provider != PROVIDER:
        return None
    try:
        with stripe_client(settings) as client:
            session = client.v1.checkout.sessions.retrieve(session_id)
    except stripe.StripeError as error:
        raise PaymentProviderError(
            f"Stripe could not retrieve checkout session {session_id}: "
            f"{describe_error(error, settings)}") from error
    return _state(session.to_dict())


@hookimpl
def expire_checkout_session(provider, session_id, settings):
    """Close a Checkout Session so it can no longer take payment.

    Returns True once the session is no longer open. A session that was already
    expired or completed counts as closed; the caller should still look at its
    state, because a completed session may have been paid.
    """
    if provider != PROVIDER:
        return None
    try:
        with stripe_client(settings) as client:
            try:
                client.v1.checkout.sessions.expire(session_id)
            except stripe.InvalidRequestError as refused:
                # Stripe refuses to expire a session that is not open; find out why.
                current = client.v1.checkout.sessions.retrieve(session_id).to_dict()
                if current.get("status") == "open":
                    raise PaymentProviderError(
                        f"Stripe refused to expire checkout session {session_id}, "
                        f"which is still open: {describe_error(refused, settings)}") from refused
    except stripe.StripeError as error:
        raise PaymentProviderError(
            f"Stripe could not expire checkout session {session_id}: "
            f"{describe_error(error, settings)}") from error
    return True


def _id_of(value) -> str | None:
    """An expandable field's id, whether Stripe sent the id or the object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


@hookimpl
def refund_payment(provider, payment_intent, session_id, amount, currency, key, settings):
    """Refund `amount` of a PaymentIntent through a Stripe Refund, once per `key`."""
    if provider != PROVIDER:
        return None
    if not payment_intent:
        raise PaymentProviderError(f"Stripe cannot refund session {session_id}: it names "
                                   "no PaymentIntent (nothing was paid)")
    params = {"payment_intent": payment_intent, "amount": int(amount)}
    try:
        with stripe_client(settings) as client:
            refund = client.v1.refunds.create(cast("RefundCreateParams", params),
                                              {"idempotency_key": f"refund-{key}"})
    except stripe.StripeError as error:
        raise PaymentProviderError(
            f"Stripe could not refund {amount} of {payment_intent}: "
            f"{describe_error(error, settings)}") from error
    data = refund.to_dict()
    return RefundResult(provider=PROVIDER, refund_id=data["id"],
                        amount=data.get("amount", amount),
                        currency=data.get("currency") or currency,
                        status=data.get("status") or "pending")


@hookimpl
def cancel_payment(provider, payment_intent, session_id, settings):
    """Expire the Checkout Session; a session that was paid meanwhile is not cancelled."""
    if provider != PROVIDER:
        return None
    if session_id:
        expire_checkout_session(provider=provider, session_id=session_id, settings=settings)
        state = retrieve_checkout_session(provider=provider, session_id=session_id,
                                          settings=settings)
        if state.payment_status in ("paid", "no_payment_required"):
            return CancelResult(provider=PROVIDER, cancelled=False, paid=True)
    return CancelResult(provider=PROVIDER, cancelled=True)
