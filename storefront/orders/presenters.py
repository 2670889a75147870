"""Orders as the API and the pages show them."""

from __future__ import annotations

from ..extensions import db
from ..media.presenters import thumbnail_json
from ..media.services import first_images
from ..money import Money
from .models import Order


def address_dict(order: Order) -> dict | None:
    """The address an order ships to, or None (an order placed before addresses)."""
    if not order.ship_country:
        return None
    return {"name": order.ship_name, "line1": order.ship_line1, "line2": order.ship_line2,
            "city": order.ship_city, "postal_code": order.ship_postal_code,
            "region": order.ship_region, "country": order.ship_country,
            "phone": order.ship_phone}


def order_dict(order: Order) -> dict:
    """The API's order object: total = subtotal + shipping + tax - discount (tax counts
    only when not included in the prices), which is what the provider charged."""
    def money(amount: int) -> dict:
        return Money(amount, order.currency).as_dict()

    pictures = first_images(db.session, {line.product_id for line in order.lines})
    return {
        "number": order.number,
        "status": order.status,
        "email": order.email,
        "lines": [{
            "sku": line.sku, "name": line.name, "quantity": line.quantity,
            "unit_price": Money(line.unit_amount, line.currency).as_dict(),
            "line_total": Money(line.quantity * line.unit_amount, line.currency).as_dict(),
            "thumbnail": thumbnail_json(pictures.get(line.product_id)),
        } for line in order.lines],
        "subtotal": money(order.subtotal),
        "shipping": ({"method": order.shipping_method, "amount": money(order.shipping_amount)}
                     if order.shipping_method or order.shipping_amount else None),
        "tax": {**money(order.tax_amount), "inclusive": order.tax_inclusive},
        "discount": ({"code": order.discount_code, "amount": money(order.discount_amount)}
                     if order.discount_amount else None),
        "total": money(order.total_amount),
        "refunded_total": money(order.refunded_amount),
        "shipping_address": address_dict(order),
        "fulfilments": [{"carrier": f.carrier, "tracking_number": f.tracking_number,
                         "tracking_url": f.tracking_url, "created_at": f.created_at}
                        for f in order.fulfilments],
        "created_at": order.created_at,
        "paid_at": order.paid_at,
    }
