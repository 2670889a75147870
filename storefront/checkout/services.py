"""Checkout: reserve stock and write the order atomically, then ask the provider for a page."""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from plugins.types import (
    CheckoutLine,
    CheckoutRedirect,
    CheckoutRequest,
    PaymentProviderError,
)

from ..attribution.touches import record_order_journey
from ..cart.services import CartView, lock_for_checkout
from ..catalog.models import Product, Variant
from ..discounts.services import take_use
from ..emails import normalise_email
from ..errors import ConflictError, NotFoundError, ServiceError, UpstreamError
from ..orders.models import Order, OrderLine, OrderStatus
from ..orders.state import transition
from ..settings import Settings
from ..timeutil import utcnow
from ..tokens import digest
from .holds import (
    check_hold_limit,
    lock_holders,
    release_cart_orders,
    release_lapsed_holds,
)
from .providers import hold_seconds, payment_settings
from .shipping import checkout_options, tax_policy
from .urls import return_urls

log = logging.getLogger(__name__)

NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@dataclass(frozen=True)
class PlacedOrder:
    """An order waiting for payment, its secret token (shown once) and where to pay."""

    order: Order
    token: str
    redirect: CheckoutRedirect


def new_order_number() -> str:
    """A short number people can read out: `BB-7K3M-Q9XR`.

    The `BB-` prefix stays whatever `SHOP_NAME` says: numbers already given out keep
    their form, and the lookup accepts any."""
    chars = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"BB-{chars[:4]}-{chars[4:]}"


def place_order(session, plugins, *, cart_token: str, email: str, settings: Settings,
                client: str | None = None) -> PlacedOrder:
    """Turn a cart into an order in `pending_payment` and a payment page.

    Holds that ran out, and the cart's own earlier unpaid orders, are given back first.
    Stock is reserved with guarded updates in the same transaction as the order, within
    what one cart, email or `client` (a digest from `holds.client_key`) may hold
    (`CHECKOUT_MAX_UNITS`); if the provider (`PAYMENT_PROVIDER`) then fails, the order is
    cancelled and the stock released before the error reaches the caller.
    """
    provider = settings.payment_provider
    release_lapsed_holds(session, plugins, settings=settings)
    release_cart_orders(session, plugins, cart_token, settings=settings)
    email = normalise_email(email)
    try:
        cart_id, cart = lock_for_checkout(session, cart_token, settings.secret_key)
        if cart.is_empty:
            raise ConflictError("The cart is empty.", reason="cart_empty")
        lock_holders(session, email, client)
        check_hold_limit(session, cart_id=cart_id, email=email, client=client,
                         units=cart.item_count, max_units=settings.checkout_max_units)
    except ServiceError:
        session.rollback()  # a refusal lets go of the cart's lock at once
        raise
    superseded = _supersede_open_orders(session, cart_id)
    order, token = _reserve_and_write(session, cart_id, cart, email, provider, client)
    _close_pages(session, plugins, superseded, settings)
    redirect = _open_payment_page(session, plugins, order, settings)
    _attach_payment_page(session, plugins, order, redirect, settings)
    return PlacedOrder(order=order, token=token, redirect=redirect)


def _supersede_open_orders(session, cart_id: int) -> list[Order]:
    """Cancel, in the new order's transaction, the cart's orders still waiting for payment.

    `release_cart_orders` closed those it found before the cart was locked; any found now
    were placed by a checkout of the same cart running at the same moment (a double
    click): the new order takes their place, so the cart's units are never held twice."""
    open_orders = list(session.scalars(select(Order).where(
        Order.cart_id == cart_id, Order.status == OrderStatus.PENDING_PAYMENT)))
    for order in open_orders:
        transition(session, order, OrderStatus.CANCELLED)
        log.info("Order %s gave way to a new checkout of its cart", order.number)
    return open_orders


def _close_pages(session, plugins, orders: list[Order], settings: Settings) -> None:
    """Close the payment pages of superseded orders (after the commit; best effort: a
    page paid meanwhile pays a cancelled order, which is logged for a refund)."""
    for order in orders:
        if order.payment_session_id:
            _close_page(plugins, order, order.payment_session_id, settings, "superseded")


def _close_page(plugins, order: Order, session_id: str, settings: Settings,
                what: str) -> None:
    """Ask the provider to stop taking payment on a page; a failure is only logged."""
    try:
        plugins.hook.expire_checkout_session(
            provider=order.payment_provider, session_id=session_id,
            settings=payment_settings(plugins, order.payment_provider, settings))
    except PaymentProviderError as exc:
        log.error("Could not close the payment page of %s order %s: %s", what,
                  order.number, exc)


def _reserve_and_write(session, cart_id: int, cart: CartView, email: str, provider: str,
                       client: str | None) -> tuple[Order, str]:
    """Take a use of the cart's discount code, reserve the cart's units and commit the
    order that holds them; (order, token). Any refusal leaves nothing written."""
    discount = None
    if cart.discount_code:  # first: a code used up refuses before any stock is held
        try:
            discount = take_use(session, cart.discount_code, subtotal=cart.subtotal.amount,
                                currency=cart.subtotal.currency, email=email, now=utcnow())
        except ServiceError:
            session.rollback()
            raise
    discount_amount = discount.amount if discount else 0
    lines = sorted(cart.lines, key=lambda line: line.variant_id)  # one lock order for all
    for line in lines:
        reserved = session.execute(
            update(Variant).where(Variant.id == line.variant_id, Variant.stock >= line.quantity,
                                  Variant.active.is_(True), Variant.product_id.in_(
                                      select(Product.id).where(Product.status == "active")))
            .values(stock=Variant.stock - line.quantity)
            .execution_options(synchronize_session=False))
        if reserved.rowcount != 1:
            session.rollback()
            variant = session.get(Variant, line.variant_id)
            if not variant.active or variant.product.status != "active":
                # Archived or withdrawn since it went into the cart: not for sale.
                raise ConflictError(
                    f"{variant.product.name} ({variant.name}) is no longer sold; please "
                    "remove it from your cart.", reason="not_for_sale", sku=variant.sku)
            raise ConflictError(
                f"Only {variant.stock} of {variant.product.name} ({variant.name}) left.",
                reason="out_of_stock", sku=variant.sku, available=variant.stock)
    token = secrets.token_urlsafe(32)
    order = Order(email=email, token_hash=digest(token),
                  status=OrderStatus.PENDING_PAYMENT, currency=cart.subtotal.currency,
                  cart_id=cart_id, payment_provider=provider, client_key=client,
                  total_amount=cart.subtotal.amount - discount_amount,
                  subtotal_amount=cart.subtotal.amount, discount_amount=discount_amount,
                  discount_code=discount.code if discount else None,
                  lines=[OrderLine(variant_id=line.variant_id, product_id=line.product_id,
                                   sku=line.sku,
                                   name=f"{line.product_name} – {line.variant_name}",
                                   quantity=line.quantity, unit_amount=line.unit_price.amount,
                                   currency=line.unit_price.currency, source=line.source)
                         for line in cart.lines])
    _insert_with_unique_number(session, order)
    record_order_journey(session, order, cart_id)
    session.commit()
    return order, token


def _open_payment_page(session, plugins, order: Order, settings: Settings) -> CheckoutRedirect:
    """Ask the provider for a page; any failure cancels the order and restocks it."""
    provider = order.payment_provider
    success_url, cancel_url = return_urls(settings, order.number)
    request = CheckoutRequest(
        order_number=order.number, email=order.email, currency=order.currency,
        total_amount=order.subtotal_amount - order.discount_amount,
        discount_amount=order.discount_amount,
        success_url=success_url, cancel_url=cancel_url,
        expires_at=int(time.time()) + hold_seconds(plugins, provider),
        lines=tuple(CheckoutLine(sku=line.sku, name=line.name, quantity=line.quantity,
                                 unit_amount=line.unit_amount, currency=line.currency)
                    for line in order.lines),
        shipping_options=checkout_options(session, subtotal=order.subtotal_amount,
                                          currency=order.currency, settings=settings),
        shipping_countries=settings.shipping_countries,
        collect_phone=settings.shipping_phone, tax=tax_policy(settings))
    try:
        redirect = plugins.hook.create_checkout_session(
            provider=provider, request=request,
            settings=payment_settings(plugins, provider, settings))
        if redirect is None:
            raise PaymentProviderError(f"No payment plugin answers for {provider!r}.")
    except Exception as exc:  # any failure of the provider must leave nothing behind
        log.error("Checkout of %s failed at %s: %s", order.number, provider, exc)
        session.rollback()
        transition(session, order, OrderStatus.CANCELLED)
        session.commit()
        raise UpstreamError("The payment service is not answering right now. Nothing was "
                            "charged and your cart is unchanged; please try again.") from exc
    return redirect


def _attach_payment_page(session, plugins, order: Order, redirect: CheckoutRedirect,
                         settings: Settings) -> None:
    """Keep the page's id on the order, unless the order was released meanwhile (the
    provider took longer than the grace period); then close the page and refuse."""
    offer = json.dumps(dict(redirect.shipping_rates)) if redirect.shipping_rates else None
    attached = session.execute(
        update(Order).where(Order.id == order.id, Order.status == OrderStatus.PENDING_PAYMENT)
        .values(payment_session_id=redirect.session_id, shipping_offer=offer)
        .execution_options(synchronize_session=False))
    session.commit()
    if attached.rowcount == 1:
        return
    _close_page(plugins, order, redirect.session_id, settings, "released")
    raise ConflictError("This checkout took too long and its items were released; "
                        "please check out again.", reason="hold_expired")


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
    raise ConflictError("Could not allocate an order number; please try again.",
                        reason="order_number_taken")


def find_order(session, number: str, token: str | None) -> Order:
    """An order for someone holding its token; any mismatch is 'not found'."""
    order = session.query(Order).filter_by(number=number).one_or_none() \
        if isinstance(number, str) and len(number) <= 20 else None
    if order is None or not token or not secrets.compare_digest(
            order.token_hash, digest(token)):
        raise NotFoundError("No such order.", reason="order_not_found")
    return order
