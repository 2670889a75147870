"""The cart page's discount code form: apply a code, or take it off."""

from __future__ import annotations

from flask import flash, redirect, session, url_for

from ..cart import services as carts
from ..discounts import services as discounts
from ..errors import ServiceError
from ..extensions import db, limiter
from ..timeutil import utcnow
from .cart import CART_KEY, WRITE_LIMIT, DiscountForm, RemoveForm, cart_page


def register(bp) -> None:
    """Add the discount code routes to the storefront blueprint."""

    @bp.route("/cart/discount", methods=["POST"])
    @limiter.limit(WRITE_LIMIT)
    def cart_discount():
        """Apply a code; a refused one is shown beside the field, with what was typed."""
        form = DiscountForm()
        token = session.get(CART_KEY)
        try:
            view = carts.get_cart(db.session, token) if token else None
        except ServiceError:
            view = None
        if token is None or view is None or view.is_empty:
            return redirect(url_for(".cart"), 303)
        if not form.validate_on_submit():
            if "csrf_token" in form.errors:
                form.code.errors = [*form.code.errors,
                                    "The form was out of date; please try again."]
            return cart_page(view, form, 422)
        try:
            applied = discounts.apply_to_cart(db.session, token, form.code.data, now=utcnow())
        except ServiceError as exc:
            form.code.errors = [exc.message]
            return cart_page(view, form, exc.status)
        flash(f"Discount code {applied.discount_code} applied.")
        return redirect(url_for(".cart"), 303)

    @bp.route("/cart/discount/remove", methods=["POST"])
    @limiter.limit(WRITE_LIMIT)
    def cart_discount_remove():
        """Take the code off the cart."""
        token = session.get(CART_KEY)
        if token and RemoveForm().validate_on_submit():
            try:
                discounts.remove_from_cart(db.session, token)
                flash("Discount code removed.")
            except ServiceError as exc:
                flash(exc.message)
        return redirect(url_for(".cart"), 303)
