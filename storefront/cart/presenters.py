"""The cart as the API and the pages show it."""

from __future__ import annotations

from ..money import Money
from .services import CartView


def cart_dict(view: CartView) -> dict:
    """The API's cart object."""
    return {
        "token": view.cart.token,
        "lines": [{
            "id": line.id,
            "sku": line.variant.sku,
            "product_slug": line.variant.product.slug,
            "name": f"{line.variant.product.name} – {line.variant.name}",
            "quantity": line.quantity,
            "unit_price": Money(line.variant.price_amount, line.variant.currency).as_dict(),
            "line_total": Money(line.quantity * line.variant.price_amount,
                                line.variant.currency).as_dict(),
            "source": line.source,
        } for line in view.cart.lines],
        "item_count": view.item_count,
        "subtotal": view.subtotal.as_dict(),
        "is_empty": view.is_empty,
    }
