"""Cart and checkout API."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from ..checkout.holds import client_key
from ..checkout.services import place_order
from ..extensions import db, limiter
from ..restapi import service_errors
from . import services
from .presenters import cart_response, cart_secret
from .schemas import (
    CartLineCreateSchema,
    CartLineUpdateSchema,
    CartSchema,
    CheckoutResultSchema,
    CheckoutSchema,
)

CART_CREATE_LIMIT = "30 per minute"
CHECKOUT_LIMIT = "10 per minute"

# Examples of the buying flow for the API reference: create a cart (`POST /carts`, no
# body; keep its `token`), add a line, check out, then send the shopper to `checkout_url`.
ADD_LINE_EXAMPLE = {"sku": "BB-MEDIUM", "quantity": 2,
                    "source": "article:are-hamstrings-your-missing-link"}
CHECKOUT_EXAMPLE = {"email": "reader@example.com"}
CHECKOUT_RESULT_EXAMPLE = {
    "order_number": "BB-7K3M-Q9XR",
    "order_token": "Q2hlY2tvdXQgdG9rZW4sIHNob3duIG9uY2UgMTIzNDU",
    "checkout_url": "https://pay.example.com/checkout/cs_a1b2c3",
    "payment_provider": "example"}  # the name of the shop's payment provider


def make_blueprint() -> Blueprint:
    """A fresh cart blueprint."""
    blp = Blueprint("carts", __name__, url_prefix="/carts",
                    description="Carts, their lines, and checkout.")

    @blp.route("")
    class Carts(MethodView):
        @limiter.limit(CART_CREATE_LIMIT)
        @blp.response(201, CartSchema)
        def post(self):
            """Create an empty cart; keep its token to use it."""
            return cart_response(services.new_cart(cart_secret()), 201)

    @blp.route("/<token>")
    class CartDetail(MethodView):
        @blp.response(200, CartSchema)
        @blp.alt_response(404, description="No cart with this token.")
        def get(self, token):
            """Show a cart with its lines and subtotal."""
            with service_errors():
                return cart_response(services.get_cart(db.session, token, cart_secret()))

    @blp.route("/<token>/lines")
    class CartLines(MethodView):
        @blp.arguments(CartLineCreateSchema, example=ADD_LINE_EXAMPLE)
        @blp.response(200, CartSchema)
        @blp.alt_response(404, description="No such cart or sku.")
        @blp.alt_response(409, description="Not that many in stock; `available` says how many.")
        def post(self, line, token):
            """Add units of a variant (or more units to its line)."""
            with service_errors():
                return cart_response(services.add_line(
                    db.session, token, **line, secret=cart_secret(),
                    batch=current_app.extensions["storefront"].settings.view_batch))

    @blp.route("/<token>/lines/<int:line_id>")
    class CartLineDetail(MethodView):
        @blp.arguments(CartLineUpdateSchema)
        @blp.response(200, CartSchema)
        @blp.alt_response(404, description="No such cart or line.")
        @blp.alt_response(409, description="Not that many in stock.")
        def patch(self, change, token, line_id):
            """Set a line's quantity; 0 removes the line."""
            with service_errors():
                return cart_response(services.set_quantity(db.session, token, line_id,
                                                           change["quantity"], cart_secret()))

        @blp.response(200, CartSchema)
        @blp.alt_response(404, description="No such cart or line.")
        def delete(self, token, line_id):
            """Remove a line."""
            with service_errors():
                return cart_response(services.remove_line(db.session, token, line_id,
                                                          cart_secret()))

    @blp.route("/<token>/checkout")
    class Checkout(MethodView):
        @limiter.limit(CHECKOUT_LIMIT)
        @blp.arguments(CheckoutSchema, example=CHECKOUT_EXAMPLE)
        @blp.response(201, CheckoutResultSchema, example=CHECKOUT_RESULT_EXAMPLE)
        @blp.alt_response(404, description="No cart with this token.")
        @blp.alt_response(409, description="The cart is empty, stock ran out, or this cart, "
                          "email or client already holds `CHECKOUT_MAX_UNITS` unpaid units "
                          "(`reason`: `cart_empty`, `out_of_stock`, `hold_limit`).")
        @blp.alt_response(502, description="The payment provider failed; nothing was kept.")
        def post(self, args, token):
            """Place an order for the cart's lines and get the payment page's address."""
            state = current_app.extensions["storefront"]
            with service_errors():
                placed = place_order(db.session, state.plugins, cart_token=token,
                                     email=args["email"], settings=state.settings,
                                     client=client_key(request.remote_addr,
                                                       state.settings.secret_key))
            return {"order_number": placed.order.number, "order_token": placed.token,
                    "checkout_url": placed.redirect.url,
                    "payment_provider": placed.redirect.provider}

    return blp
