"""Stock holds: how much one shopper may hold unpaid, and giving back holds that ran out.

An order waiting for payment holds its units. Left unbounded, three API calls could hold
a whole variant for half an hour; so what one cart, one email address and one client
(a keyed digest of its address) hold at once is bounded, and every checkout first gives
back a few holds that ran out, without waiting for `storefront reconcile-payments`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from ..cart.models import Cart
from ..database import is_postgresql
from ..errors import ConflictError
from ..orders.models import Order, OrderLine, OrderStatus
from ..orders.state import Outcome, transition
from ..settings import Settings
from ..timeutil import utcnow
from .payments import cancel_checkout
from .providers import hold_seconds

log = logging.getLogger(__name__)

# An order is written before its payment page is asked for; one that still has none after
# this long lost its worker mid-checkout (the provider's calls give up after about 90 s).
NO_SESSION_GRACE = timedelta(minutes=2)
# Holds released per checkout: enough to keep up with abandoned pages, few enough that a
# checkout never waits long on the provider for other people's orders.
RELEASE_BATCH = 5


def client_key(address: str | None, secret: str) -> str | None:
    """A keyed sha256 digest of the address placing an order: comparable, not reversible."""
    if not address:
        return None
    return hmac.new(secret.encode(), f"client:{address}".encode(), hashlib.sha256).hexdigest()


def lock_holders(session, *keys: str | None) -> None:
    """Make checkouts by the same email or client wait for each other on PostgreSQL, so
    two at once cannot both pass the limit. (SQLite runs one writer at a time already.)"""
    if not is_postgresql(session):
        return
    for key in sorted({key for key in keys if key}):  # one order, so no deadlock
        digest = hashlib.sha256(f"hold:{key}".encode()).digest()
        session.execute(select(func.pg_advisory_xact_lock(
            int.from_bytes(digest[:8], "big", signed=True))))


def check_hold_limit(session, *, cart_id: int, email: str, client: str | None, units: int,
                     max_units: int | None) -> None:
    """Refuse a checkout that would let one cart, email or client hold more than
    `max_units` units in unpaid orders (None or 0: no bound)."""
    if not max_units:
        return
    holders = [Order.cart_id == cart_id, Order.email == email]
    if client:
        holders.append(Order.client_key == client)
    held = max(session.execute(
        select(*(func.coalesce(func.sum(case((holder, OrderLine.quantity), else_=0)), 0)
                 for holder in holders))
        .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.status == OrderStatus.PENDING_PAYMENT, or_(*holders))).one())
    if held + units > max_units:
        raise ConflictError(
            f"At most {max_units} items can wait for payment at once (per cart, email address "
            f"and connection); {held} already are, and this order has {units}. Pay for or "
            "cancel the open order, or wait for it to expire, then try again.",
            reason="hold_limit", limit=max_units, held=held)


def release_cart_orders(session, plugins, cart_token: str, *, settings: Settings) -> None:
    """Close the unpaid orders an earlier checkout of this cart left open (the shopper came
    back from the payment page without cancelling, and checks out again): the new order
    takes their place, and their units are not held twice. A page paid meanwhile pays
    its order instead, which empties the cart."""
    earlier = session.scalars(select(Order).join(Cart, Cart.id == Order.cart_id).where(
        Cart.token == cart_token, Order.status == OrderStatus.PENDING_PAYMENT)
        .order_by(Order.id)).all()
    for order in earlier:
        if order.payment_session_id is None:
            transition(session, order, OrderStatus.CANCELLED)
            session.commit()
        else:
            cancel_checkout(session, plugins, order, settings=settings)


def lapsed_orders(session, plugins, *, now: datetime, limit: int | None,
                  pages: bool = True) -> list[Order]:
    """Pending orders still without a payment page after the grace period, and (with
    `pages`) those past their provider's hold, oldest first."""
    lapsed = [and_(Order.payment_session_id.is_(None),
                   Order.created_at < now - NO_SESSION_GRACE)]
    providers = session.scalars(select(Order.payment_provider).where(
        Order.status == OrderStatus.PENDING_PAYMENT).distinct()).all() if pages else ()
    lapsed += [and_(Order.payment_provider == provider,
                    Order.created_at < now - timedelta(seconds=hold_seconds(plugins, provider)))
               for provider in providers]
    return list(session.scalars(
        select(Order).where(Order.status == OrderStatus.PENDING_PAYMENT, or_(*lapsed))
        .order_by(Order.created_at, Order.id).limit(limit)))


def release_lapsed_holds(session, plugins, *, settings: Settings, now: datetime | None = None,
                         limit: int | None = RELEASE_BATCH, pages: bool = True) -> int:
    """Cancel lapsed orders and restock their units; returns how many were cancelled.

    An order with a payment page is closed through its provider first (a page paid at
    the last moment pays its order instead); one whose provider cannot be reached stays
    pending for reconciliation. `pages=False` releases only orders without a page."""
    released = 0
    for order in lapsed_orders(session, plugins, now=now or utcnow(), limit=limit,
                               pages=pages):
        if order.payment_session_id is None:
            outcome = transition(session, order, OrderStatus.CANCELLED)
            session.commit()
            if outcome is Outcome.APPLIED:
                log.warning("Released order %s: it never got a payment page", order.number)
                released += 1
        elif (cancel_checkout(session, plugins, order, settings=settings)
              == OrderStatus.CANCELLED):
            released += 1
    return released
