"""Reconciliation: settle what webhooks left open, with what the providers say.

Run from cron (`storefront reconcile-payments`): a lost webhook loses no order and holds
no stock for ever, a refund that arrived before its payment is applied, and an order whose
worker died before it had a payment page is released.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from plugins.types import PaymentProviderError

from ..orders.models import Order, OrderStatus
from ..settings import Settings
from ..timeutil import utcnow
from .holds import release_lapsed_holds
from .payments import WAITING_DAYS, cancel_checkout, confirm_with_provider, retry_waiting_events
from .providers import hold_seconds

log = logging.getLogger(__name__)


def reconcile_payments(session, plugins, *, older_than, settings: Settings) -> dict[str, int]:
    """Settle orders pending since before `older_than` with what their provider says.

    Paid sessions pay their order, expired ones cancel it; sessions still open past their
    provider's hold are closed first. A provider that cannot be reached is skipped.
    Orders that never got a payment page are released, and stored events waiting for
    their order are tried again.
    """
    now = utcnow()
    counts = {"checked": 0, "paid": 0, "cancelled": 0, "pending": 0, "unreachable": 0,
              "released": release_lapsed_holds(session, plugins, settings=settings, now=now,
                                               limit=None, pages=False)}
    orders = session.scalars(select(Order).where(
        Order.status == OrderStatus.PENDING_PAYMENT, Order.created_at < older_than)
        .order_by(Order.id)).all()
    for order in orders:
        counts["checked"] += 1
        lapsed = order.created_at < now - timedelta(
            seconds=hold_seconds(plugins, order.payment_provider))
        try:
            result = confirm_with_provider(session, plugins, order, settings=settings)
            if (result is None or result.outcome == "pending") and lapsed:
                cancel_checkout(session, plugins, order, settings=settings)
        except PaymentProviderError as exc:
            log.warning("Reconciliation could not reach %s for %s: %s",
                        order.payment_provider, order.number, exc)
            counts["unreachable"] += 1
            continue
        session.refresh(order)
        settled = order.status in (OrderStatus.PAID, OrderStatus.CANCELLED)
        counts[order.status if settled else "pending"] += 1
    counts.update(retry_waiting_events(
        session, plugins, give_up_before=now - timedelta(days=WAITING_DAYS),
        settings=settings))
    return counts
