"""Order rules for staff."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import ConflictError, NotFoundError
from .models import Order, OrderStatus
from .state import Outcome, transition


def fulfil(session, number: str) -> Order:
    """paid -> fulfilled; anything else is a conflict."""
    order = session.scalar(select(Order).where(Order.number == number))
    if order is None:
        raise NotFoundError("No such order.", reason="order_not_found")
    outcome = transition(session, order, OrderStatus.FULFILLED)
    session.commit()
    if outcome is not Outcome.APPLIED:
        raise ConflictError(f"Order {number} is {order.status}; only paid orders can be "
                            "fulfilled.", reason="order_not_paid", status=order.status)
    return order
