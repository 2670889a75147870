"""The cart as the API and the pages show it."""

from __future__ import annotations

from .services import CartView


def cart_dict(view: CartView) -> dict:
    """The API's cart object."""
    return {
        "token": view.token,
        "lines": [{
            "id": line.id,
            "sku": line.sku,
            "product_slug": line.product_slug,
            "name": f"{line.product_name} – {line.variant_name}",
            "quantity": line.quantity,
            "unit_price": line.unit_price.as_dict(),
            "line_total": line.line_total.as_dict(),
            "source": line.source,
        } for line in view.lines],
        "item_count": view.item_count,
        "subtotal": view.subtotal.as_dict(),
        "is_empty": view.is_empty,
    }
