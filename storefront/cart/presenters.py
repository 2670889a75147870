"""The cart as the API and the pages show it."""

from __future__ import annotations

from typing import cast

from flask import Response, current_app

from ..checkout.shipping import quotes
from ..discounts.services import cart_discount
from ..extensions import db
from ..media.presenters import thumbnail_json
from ..media.services import first_images
from ..money import Money
from ..timeutil import utcnow
from .services import CartView


def cart_secret() -> str:
    """The key cart tokens are signed with (`cart.tokens`), for the faces to hand on."""
    return current_app.extensions["storefront"].settings.secret_key


def shipping_options(view: CartView) -> list[dict]:
    """What each shipping method would cost this cart (free ones at 0), cheapest first;
    none for an empty cart."""
    if view.is_empty:
        return []
    found = quotes(db.session, subtotal=view.subtotal.amount, currency=view.subtotal.currency,
                   settings=current_app.extensions["storefront"].settings)
    return [{"id": quote.id, "name": quote.name,
             "amount": Money(quote.amount, quote.currency).as_dict(),
             "estimate": quote.estimate, "countries": list(quote.countries)}
            for quote in found]


def discount_dict(view: CartView) -> dict | None:
    """The cart's code and what it takes off the current subtotal; one that no longer
    applies amounts to 0 and says why (`reason`, `message`)."""
    found = cart_discount(db.session, view.discount_code, subtotal=view.subtotal.amount,
                          currency=view.subtotal.currency, now=utcnow())
    if found is None:
        return None
    return {"code": found.code, "amount": Money(found.amount, view.subtotal.currency).as_dict(),
            "reason": found.refusal.reason if found.refusal else None,
            "message": found.refusal.message if found.refusal else None}


def cart_dict(view: CartView) -> dict:
    """The API's cart object (line thumbnails in one query, whatever the line count)."""
    pictures = first_images(db.session, {line.product_id for line in view.lines})
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
            "thumbnail": thumbnail_json(pictures.get(line.product_id)),
        } for line in view.lines],
        "item_count": view.item_count,
        "subtotal": view.subtotal.as_dict(),
        "discount": discount_dict(view),
        "is_empty": view.is_empty,
        "shipping_options": shipping_options(view),
    }


def cart_response(view: CartView, status: int = 200) -> Response:
    """The cart as the API's JSON answer. `cart_dict` already has `CartSchema`'s shape, so
    it is sent as is rather than dumped through the schema a second time (an add to cart
    is the busiest write of the shop); the schema documents it, and the API's fuzz tests
    check every answer against it."""
    response = cast(Response, current_app.json.response(cart_dict(view)))
    response.status_code = status
    return response
