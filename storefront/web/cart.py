"""Cart and checkout pages: the cart's token lives in the signed session cookie."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
)

from plugins.types import PaymentProviderError

from ..attribution.services import is_source, source_exists
from ..cart import services as carts
from ..cart.models import MAX_LINE_QUANTITY
from ..cart.presenters import cart_dict, cart_secret
from ..catalog.models import Product, Variant
from ..checkout.holds import client_key
from ..checkout.payments import cancel_checkout, confirm_with_provider, was_declined
from ..checkout.services import place_order
from ..checkout.shipping import tax_note
from ..checkout.urls import order_number_from
from ..errors import NotFoundError, ServiceError
from ..extensions import db, limiter
from ..orders.models import Order, OrderStatus
from ..orders.presenters import order_dict
from . import holes, journeys
from .next_links import empty_state_links
from .validators import same_email_rule_as_the_api

CART_KEY = "cart"
WRITE_LIMIT = "60 per minute"


class AddToCartForm(FlaskForm):
    """Pick a variant and a quantity."""

    sku = SelectField("Resistance", validators=[DataRequired()], validate_choice=False)
    quantity = IntegerField("Quantity", default=1,
                            validators=[NumberRange(min=1, max=MAX_LINE_QUANTITY)])
    # Any text: a source that names no content is kept as direct, not refused.
    source = HiddenField(validators=[Optional(), Length(max=160)])
    submit = SubmitField("Add to cart")


class QuantityForm(FlaskForm):
    """Change one line's quantity."""

    quantity = IntegerField("Quantity", validators=[NumberRange(min=0, max=MAX_LINE_QUANTITY)])
    submit = SubmitField("Update")


class RemoveForm(FlaskForm):
    """Take one line out."""

    submit = SubmitField("Remove")


class CheckoutForm(FlaskForm):
    """Where to send the receipt."""

    email = EmailField("Email for your receipt",
                       validators=[DataRequired(), Length(max=254), same_email_rule_as_the_api])
    submit = SubmitField("Check out")


def add_form_for(product: dict, source: str | None,
                 sent: AddToCartForm | None = None) -> AddToCartForm:
    """The add-to-cart form of a product page, remembering the content that led there;
    with `sent`, that form as the shopper sent it (their variant and quantity)."""
    form = sent or AddToCartForm(formdata=None)
    form.sku.choices = [(v["sku"], f"{v['name']} – {v['price']['formatted']}"
                         + ("" if v["in_stock"] else " (out of stock)"))
                        for v in product["variants"]]
    form.source.data = valid_source(source)
    return form


def valid_source(source: str | None) -> str:
    """The content a link says the shopper came from, or "" when it names no content the
    shop has (the add is then direct)."""
    if source and is_source(source) and source_exists(db.session, source):
        return source
    return ""


def cart_link() -> dict:
    """The header's cart count, for its link; no query on pages that never had a cart."""
    token = session.get(CART_KEY)
    count = carts.item_count(db.session, token) if token else None
    if count is None and token:
        session.pop(CART_KEY, None)  # the cart was pruned
    return {"count": count}


def _current_cart():
    token = session.get(CART_KEY)
    if not token:
        return None
    try:
        return carts.get_cart(db.session, token)
    except NotFoundError:
        session.pop(CART_KEY, None)
        return None


class DiscountForm(FlaskForm):
    """A discount code, in any case."""

    code = StringField("Discount code", validators=[DataRequired(), Length(max=40)])
    submit = SubmitField("Apply")


def cart_page(view, discount_form: DiscountForm | None = None, status: int = 200):
    """The page of a cart with lines; `discount_form` as sent, with why it was refused."""
    return render_template("storefront/cart.html", cart=cart_dict(view),
                           tax_note=tax_note(current_app.extensions["storefront"].settings),
                           csrf_form=RemoveForm(), checkout_form=CheckoutForm(),
                           discount_form=discount_form or DiscountForm(formdata=None)), status


def register(bp) -> None:
    """Add the cart and checkout pages to the storefront blueprint."""
    holes.add(bp, "cart_link", "storefront/holes/cart_link.html", cart_link)

    @bp.route("/cart")
    def cart():
        """The cart: lines, subtotal and checkout, or a friendly empty state."""
        view = _current_cart()
        if view is None or view.is_empty:
            return render_template("storefront/cart.html", cart=None,
                                   next_links=empty_state_links("cart"))
        return cart_page(view)

    @bp.route("/cart/add", methods=["POST"])
    @limiter.limit(WRITE_LIMIT)
    def cart_add():
        """Add the chosen variant to the cart (making a cart if there is none)."""
        form = AddToCartForm()
        back = request.referrer if _same_site(request.referrer) else url_for(".cart")
        if not form.validate_on_submit():
            return _not_added(form, back, "Please choose a resistance and a quantity "
                                          f"from 1 to {MAX_LINE_QUANTITY}.", 422)
        token = session.get(CART_KEY)
        if not token or _current_cart() is None:
            token = carts.new_cart(cart_secret()).token  # written by the add below
            session[CART_KEY] = token
        try:
            source = form.source.data
            carts.add_line(db.session, token, form.sku.data, form.quantity.data,
                           source if source and is_source(source) else None,
                           batch=current_app.extensions["storefront"].settings.view_batch,
                           unknown_source_is_direct=True, journey=journeys.hand_over(),
                           secret=cart_secret())
        except ServiceError as exc:
            return _not_added(form, back, exc.message, exc.status)
        journeys.done()  # the cart holds the journey now
        flash("Added to your cart.")
        return redirect(url_for(".cart"), 303)

    @bp.route("/cart/lines/<int:line_id>", methods=["POST"])
    @limiter.limit(WRITE_LIMIT)
    def cart_update(line_id):
        """Change a line's quantity (0 removes it)."""
        form = QuantityForm()
        token = session.get(CART_KEY)
        if not token or not form.validate_on_submit():
            flash("Quantities go from 0 (remove) to 99.")
            return redirect(url_for(".cart"), 303)
        try:
            carts.set_quantity(db.session, token, line_id, form.quantity.data)
            flash("Your cart was updated.")
        except ServiceError as exc:
            flash(exc.message)
        return redirect(url_for(".cart"), 303)

    @bp.route("/cart/lines/<int:line_id>/remove", methods=["POST"])
    @limiter.limit(WRITE_LIMIT)
    def cart_remove(line_id):
        """Take a line out of the cart."""
        token = session.get(CART_KEY)
        if token and RemoveForm().validate_on_submit():
            try:
                carts.remove_line(db.session, token, line_id)
                flash("Removed from your cart.")
            except ServiceError as exc:
                flash(exc.message)
        return redirect(url_for(".cart"), 303)

    @bp.route("/checkout", methods=["POST"])
    @limiter.limit("10 per minute")
    def checkout():
        """Place the order and go to the payment page."""
        form = CheckoutForm()
        token = session.get(CART_KEY)
        if not token:
            return redirect(url_for(".cart"), 303)
        if not form.validate_on_submit():
            flash("Please give a valid email address for your receipt.")
            return redirect(url_for(".cart"), 303)
        state = current_app.extensions["storefront"]
        try:
            placed = place_order(db.session, state.plugins, cart_token=token,
                                 email=form.email.data, settings=state.settings,
                                 client=client_key(request.remote_addr,
                                                   state.settings.secret_key))
        except ServiceError as exc:
            flash(exc.message)
            return redirect(url_for(".cart"), 303)
        return redirect(placed.redirect.url, 303)

    @bp.route("/checkout/success/<signed>")
    def checkout_success(signed):
        """After paying: the order and its status, confirmed with the provider if need be."""
        order = _order_from(signed)
        if order.status == OrderStatus.PENDING_PAYMENT:
            try:
                state = current_app.extensions["storefront"]
                confirm_with_provider(db.session, state.plugins, order, settings=state.settings)
            except PaymentProviderError:
                pass  # the webhook will settle it; the page says so
            db.session.refresh(order)
        return render_template("storefront/checkout_done.html", order=order_dict(order),
                               declined=order.status == OrderStatus.CANCELLED
                               and was_declined(db.session, order))

    @bp.route("/checkout/cancel/<signed>")
    def checkout_cancel(signed):
        """Back from the payment page without paying: the cart is as it was."""
        order = _order_from(signed)
        state = current_app.extensions["storefront"]
        status = cancel_checkout(db.session, state.plugins, order, settings=state.settings)
        if status == OrderStatus.PAID:
            return redirect(url_for(".checkout_success", signed=signed), 303)
        if was_declined(db.session, order):
            flash("Your payment was declined, so nothing was charged. Your cart is just as "
                  "you left it: try again, perhaps with another card.")
        else:
            flash("Payment cancelled. Nothing was charged, and your cart is just as you "
                  "left it.")
        return redirect(url_for(".cart"), 303)


def _not_added(form: AddToCartForm, back: str, message: str, status: int):
    """The product page again, with the shopper's variant and quantity and why nothing
    was added beside the form; a form that names no product (or comes without its CSRF
    token) goes back with the message at the top of the page."""
    slug = (db.session.scalar(select(Product.slug).join(Variant).where(
        Variant.sku == form.sku.data)) if "csrf_token" not in form.errors else None)
    if slug is None:
        flash(message)
        return redirect(back, 303)
    from . import product_page  # the page is drawn where its route is
    page = product_page(slug, add_form=form, source=form.source.data,
                        add_result={"id": "add-result", "error": True, "lines": [message]})
    return page, status


def _order_from(signed: str) -> Order:
    number = order_number_from(signed, current_app.extensions["storefront"].settings.secret_key)
    order = db.session.query(Order).filter_by(number=number).one_or_none() if number else None
    if order is None:
        abort(404)
    return order


def _same_site(url: str | None) -> bool:
    return url is not None and url.startswith(request.host_url)
