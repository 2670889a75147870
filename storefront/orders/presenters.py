"""Orders as the API and the pages show them."""

from __future__ import annotations

from ..money import Money
from .models import Order


def order_dict(order: Order) -> dict:
    """The API's order object."""
    return {
        "number": order.number,
        "status": order.status,
        "email": order.email,
        "lines": [{
            "sku": line.sku, "name": line.name, "quantity": line.quantity,
            "unit_price": Money(line.unit_amount, line.currency).as_dict(),
            "line_total": Money(line.quantity * line.unit_amount, line.currency).as_dict(),
        } for line in order.lines],
        "total": Money(order.total_amount, order.currency).as_dict(),
        "created_at": order.created_at,
        "paid_at": order.paid_at,
    }
