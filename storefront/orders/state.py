"""The order state machine, applied with guarded updates so concurrent events cannot race.

pending_payment -> paid -> fulfilled; pending_payment -> cancelled; paid|fulfilled -> refunded.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from sqlalchemy import update

from ..catalog.models import Variant
from ..discounts.services import release_use
from ..timeutil import utcnow
from .models import Order, OrderLine, OrderStatus

log = logging.getLogger(__name__)

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.FULFILLED, OrderStatus.REFUNDED}),
    OrderStatus.FULFILLED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}
TIMESTAMPS = {OrderStatus.PAID: "paid_at", OrderStatus.FULFILLED: "fulfilled_at",
              OrderStatus.CANCELLED: "cancelled_at", OrderStatus.REFUNDED: "refunded_at"}


class Outcome(StrEnum):
    """What became of a requested transition."""

    APPLIED = "applied"
    ALREADY = "already"  # the order was already in the target state: nothing to do
    REFUSED = "refused"  # not allowed from the order's current state


def sources_of(target: str) -> frozenset[str]:
    """The states from which `target` may be reached."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


def reaches_later(status: str, target: str) -> bool:
    """Whether an order in `status` can still come to `target`, though not in one step.

    A refund that arrives while its order still waits for payment can be applied once the
    payment is; a payment for a cancelled order never can."""
    try:
        seen, frontier = {status}, set(TRANSITIONS[OrderStatus(status)])
    except ValueError:  # not a status at all
        return False
    while frontier:
        if target in frontier and status not in sources_of(target):
            return True
        seen |= frontier
        frontier = {nxt for state in frontier for nxt in TRANSITIONS[state]} - seen
    return False


def transition(session, order: Order, target: OrderStatus) -> Outcome:
    """Move `order` to `target` if the machine allows it, atomically against other workers.

    Cancelling puts the reserved stock, and the discount code's use, back in the same
    transaction (once: only the update that moved the order does it). The caller commits.
    """
    if target not in TIMESTAMPS:
        raise ValueError(f"No transition leads to {target!r}.")
    allowed_from = sources_of(target)
    result = session.execute(
        update(Order).where(Order.id == order.id, Order.status.in_(allowed_from))
        .values(status=target, **{TIMESTAMPS[target]: utcnow()})
        .execution_options(synchronize_session=False))
    session.refresh(order)
    if result.rowcount == 1:
        if target == OrderStatus.CANCELLED:
            release_use(session, order)  # before the stock: checkout locks in this order
            release_stock(session, order)
        return Outcome.APPLIED
    if order.status == target:
        return Outcome.ALREADY
    log.warning("Refused order transition %s: %s -> %s", order.number, order.status, target)
    return Outcome.REFUSED


def release_stock(session, order: Order) -> None:
    """Give a cancelled order's units back to stock (guarded: only ever added)."""
    for line in session.query(OrderLine).filter_by(order_id=order.id).order_by(
            OrderLine.variant_id):
        if line.variant_id is not None:
            session.execute(update(Variant).where(Variant.id == line.variant_id)
                            .values(stock=Variant.stock + line.quantity)
                            .execution_options(synchronize_session=False))
