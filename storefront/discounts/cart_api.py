"""Discount codes on carts: apply one, take it off."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..cart.presenters import cart_response, cart_secret
from ..cart.schemas import CartSchema, DiscountApplySchema
from ..extensions import db, limiter
from ..restapi import service_errors
from ..timeutil import utcnow
from . import services

# Generous for a person typing codes, tight for anyone guessing them.
APPLY_LIMIT = "20 per minute"


def make_blueprint() -> Blueprint:
    """A fresh blueprint for a cart's discount code."""
    blp = Blueprint("cart_discounts", __name__, url_prefix="/carts",
                    description="Discount codes on carts.")

    @blp.route("/<token>/discount")
    class CartDiscount(MethodView):
        @limiter.limit(APPLY_LIMIT)
        @blp.arguments(DiscountApplySchema, example={"code": "SPRING-10"})
        @blp.response(200, CartSchema)
        @blp.alt_response(404, description="No cart with this token.")
        @blp.alt_response(422, description="The code does not apply (`reason`: "
                          "`discount_unknown`, `discount_not_started`, `discount_expired`, "
                          "`discount_used_up`, `discount_below_minimum`).")
        def post(self, body, token):
            """Apply a discount code (any case) to the cart; it replaces any earlier one."""
            with service_errors():
                return cart_response(services.apply_to_cart(db.session, token, body["code"],
                                                            now=utcnow(), secret=cart_secret()))

        @limiter.limit(APPLY_LIMIT)
        @blp.response(200, CartSchema)
        @blp.alt_response(404, description="No cart with this token.")
        def delete(self, token):
            """Take the discount code off the cart."""
            with service_errors():
                return cart_response(services.remove_from_cart(db.session, token,
                                                                cart_secret()))

    return blp
