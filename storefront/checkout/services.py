"""Checkout: reserve stock and write the order atomically, then ask the provider for a page."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from plugins.types import (
    CheckoutLine,
    CheckoutRedirect,
    CheckoutRequest,
    PaymentProviderError,
    PaymentSettings,
)

from ..cart.services import load_cart
from ..catalog.models import Variant
from ..errors import ConflictError, NotFoundError, UpstreamError
from ..orders.models import Order, OrderLine
from ..orders.state import transition
from ..staff.services import normalise_email
from ..urls import public_url
from .urls import site_url

log = logging.getLogger(__name__)

# Stripe keeps a Checkout Session open for at least 30 minutes; stock is held that long.
CHECKOUT_TTL_SECONDS = 30 * 60 + 60
NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@dataclass(frozen=True)
class PlacedOrder:
    """An order waiting for payment, its secret token (shown once) and where to pay."""

    order: Order
    token: str
    redirect: CheckoutRedirect


def new_order_number() -> str:
    """A short number people can read out: `BB-7K3M-Q9XR`."""
    chars = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"BB-{chars[:4]}-{chars[4:]}"


def hash_order_token(token: str) -> str:
    """Order tokens are random; a digest is enough to keep them safe at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


def payment_settings(provider: str) -> PaymentSettings:
    """The settings a provider plugin receives, from the app's config."""
    config = current_app.config
    state = current_app.extensions["storefront"]
    common = {"public_base_url": config["PUBLIC_BASE_URL"], "site_url": site_url(),
              "webhook_url": public_url(f"{state.api_prefix}/webhooks/{provider}")}
    if provider == "stripe":
        return PaymentSettings(secret_key=config["STRIPE_SECRET_KEY"],
                               webhook_secret=config["STRIPE_WEBHOOK_SECRET"],
                               api_base=config["STRIPE_API_BASE"], **common)
    # Providers without their own secret sign with one derived from SECRET_KEY.
    derived = hashlib.sha256(f"{provider}-payments:{config['SECRET_KEY']}".encode()).hexdigest()
    return PaymentSettings(secret_key=derived, webhook_secret=derived, **common)


def place_order(session, plugins, *, cart_token: str, email: str, provider: str,
                return_urls) -> PlacedOrder:
    """Turn a cart into an order in `pending_payment` and a payment page.

    Stock is reserved with guarded updates in the same transaction as the order; if the
    provider then fails, the order is cancelled and the stock released before the error
    reaches the caller. `return_urls(order_number)` gives (success_url, cancel_url).
    """
    cart = load_cart(session, cart_token, for_update=True)
    if not cart.lines:
        raise ConflictError("The cart is empty.")
    currency = cart.lines[0].variant.currency
    lines = sorted(cart.lines, key=lambda line: line.variant_id)  # one lock order for all
    for line in lines:
        reserved = session.execute(
            update(Variant).where(Variant.id == line.variant_id, Variant.stock >= line.quantity)
            .values(stock=Variant.stock - line.quantity)
            .execution_options(synchronize_session=False))
        if reserved.rowcount != 1:
            session.rollback()
            variant = session.get(Variant, line.variant_id)
            raise ConflictError(
                f"Only {variant.stock} of {variant.product.name} ({variant.name}) left.",
                sku=variant.sku, available=variant.stock)
    token = secrets.token_urlsafe(32)
    order = Order(email=normalise_email(email), token_hash=hash_order_token(token),
                  status="pending_payment", currency=currency, cart_id=cart.id,
                  payment_provider=provider,
                  total_amount=sum(line.quantity * line.variant.price_amount for line in lines),
                  lines=[OrderLine(variant_id=line.variant_id,
                                   product_id=line.variant.product_id, sku=line.variant.sku,
                                   name=f"{line.variant.product.name} – {line.variant.name}",
                                   quantity=line.quantity,
                                   unit_amount=line.variant.price_amount,
                                   currency=line.variant.currency, source=line.source)
                         for line in cart.lines])
    _insert_with_unique_number(session, order)
    session.commit()

    success_url, cancel_url = return_urls(order.number)
    request = CheckoutRequest(
        order_number=order.number, email=order.email, currency=currency,
        total_amount=order.total_amount, success_url=success_url, cancel_url=cancel_url,
        expires_at=int(time.time()) + CHECKOUT_TTL_SECONDS,
        lines=tuple(CheckoutLine(sku=line.sku, name=line.name, quantity=line.quantity,
                                 unit_amount=line.unit_amount, currency=line.currency)
                    for line in order.lines))
    try:
        redirect = plugins.hook.create_checkout_session(
            provider=provider, request=request, settings=payment_settings(provider))
        if redirect is None:
            raise PaymentProviderError(f"No payment plugin answers for {provider!r}.")
    except Exception as exc:  # any failure of the provider must leave nothing behind
        log.error("Checkout of %s failed at %s: %s", order.number, provider, exc)
        session.rollback()
        transition(session, order, "cancelled")
        session.commit()
        raise UpstreamError("The payment service is not answering right now. Nothing was "
                            "charged and your cart is unchanged; please try again.") from exc
    order.payment_session_id = redirect.session_id
    session.commit()
    return PlacedOrder(order=order, token=token, redirect=redirect)


def _insert_with_unique_number(session, order: Order) -> None:
    for _ in range(5):
        order.number = new_order_number()
        try:
            with session.begin_nested():
                session.add(order)
                session.flush()
            return
        except IntegrityError:
            continue
    raise ConflictError("Could not allocate an order number; please try again.")


def find_order(session, number: str, token: str | None) -> Order:
    """An order for someone holding its token; any mismatch is 'not found'."""
    order = session.query(Order).filter_by(number=number).one_or_none() \
        if isinstance(number, str) and len(number) <= 20 else None
    if order is None or not token or not secrets.compare_digest(
            order.token_hash, hash_order_token(token)):
        raise NotFoundError("No such order.")
    return order
