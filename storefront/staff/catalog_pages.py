"""Staff console: the catalogue (editor). List products by status, create and edit them,
publish, archive and restore them, and add and change their variants. A save based on a
version someone else has replaced meanwhile is refused, with what they saved shown beside
what was typed, which stays in the form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..catalog import editing
from ..catalog.models import Variant
from ..errors import NotFoundError, ServiceError
from ..extensions import db
from ..versioning import StaleVersion
from .catalog_forms import (
    STATUS_LABELS,
    ProductFilterForm,
    ProductForm,
    StatusForm,
    product_data,
    variant_data,
    variant_form,
)
from .console import end_idle_console_session
from .moderation_pages import role_required

PAGE_SIZE = 50
# The add-variant form shares its page with the product's form: its fields get a prefix,
# so no two fields share a name or an id.
NEW_VARIANT = "variant"
# What each status button does, by the status the product is in now.
STATUS_BUTTONS = {
    "draft": [("active", "Publish"), ("archived", "Archive")],
    "active": [("draft", "Move back to draft"), ("archived", "Archive")],
    "archived": [("draft", "Restore as a draft"), ("active", "Restore and publish")],
}
FIELD_LABELS = {"slug": "Address name", "name": "Name", "kind": "Kind", "summary": "Summary",
                "description": "Description", "options": "Options", "status": "Status",
                "sku": "SKU", "price": "Price", "compare_at_price": "Compare-at price",
                "stock": "Stock", "active": "Offered"}
# A service's field name -> the console form's field name, where they differ.
FORM_FIELDS = {"compare_at_price": "compare_at"}


def _actor() -> str:
    return current_user.email


def _shop_currency() -> str:
    return db.session.scalar(select(Variant.currency).limit(1)) or "usd"


def _product_or_404(slug: str):
    try:
        return editing.staff_product(db.session, slug)
    except NotFoundError:
        abort(404)


def _version(text) -> int:
    """The version a form was filled from; one that is not a number matches nothing."""
    text = str(text or "")
    return int(text) if text.isdigit() and len(text) < 10 else -1


def _attach(form, exc: ServiceError) -> bool:
    """Put a refusal beside its field; False when it names no field of this form."""
    name = FORM_FIELDS.get(exc.details.get("field", ""), exc.details.get("field", ""))
    field = getattr(form, name, None) if name else None
    if field is None or name.startswith("_"):
        return False
    field.errors = [*field.errors, exc.message] if isinstance(field.errors, list) \
        else [exc.message]
    return True


def _differences(current: dict, typed: dict) -> list[tuple[str, str]]:
    """What the saved product says where it differs from what was typed: (label, value)."""
    shown = []
    for name, value in current.items():
        if name in typed and typed[name] != value:
            text = ", ".join(value) if isinstance(value, list) else str(value)
            shown.append((FIELD_LABELS.get(name, name), text or "(empty)"))
    return shown


def _product_page(product, form, *, status=200, stale=None, new_variant=None):
    return render_template(
        "staff/product.html", product=product, form=form, stale=stale or [],
        status_buttons=STATUS_BUTTONS[product.status], status_labels=STATUS_LABELS,
        status_form=StatusForm(formdata=None), history=editing.history(
            db.session, "product", product.slug),
        variant_form=new_variant or variant_form(product.options, currency=_shop_currency(),
                                                 formdata=None, prefix=NEW_VARIANT)), status


def make_blueprint() -> Blueprint:
    """A fresh catalogue console blueprint for one app."""
    bp = Blueprint("staff_catalog", __name__, url_prefix="/staff/products")
    bp.before_request(end_idle_console_session)

    @bp.route("")
    @role_required("editor")
    def products():
        """Products in every status, oldest first, filtered by status."""
        form = ProductFilterForm(formdata=request.args)
        status = form.status.data if form.validate() else ""
        try:
            rows, next_cursor = editing.staff_products(
                db.session, status=status or None, limit=PAGE_SIZE,
                cursor=request.args.get("cursor"))
        except ServiceError:  # a cursor that is not ours
            abort(404)
        return render_template("staff/products.html", products=rows, form=form,
                               status=status, next_cursor=next_cursor)

    @bp.route("/new", methods=["GET", "POST"])
    @role_required("editor")
    def new_product():
        """A new product, a draft until published."""
        form = ProductForm()
        form.submit.label.text = "Create product"
        if form.validate_on_submit():
            try:
                product = editing.create_product(db.session, form.values(), actor=_actor())
            except ServiceError as exc:
                if not _attach(form, exc):
                    form.form_errors.append(exc.message)
            else:
                flash(f"Created {product.name} as a {product.status} product. Add its "
                      "variants below.")
                return redirect(url_for(".product", slug=product.slug), 303)
        status = 422 if form.errors or form.form_errors else 200
        return render_template("staff/product.html", product=None, form=form, stale=[],
                               status_buttons=[], history=[]), status

    @bp.route("/<slug>", methods=["GET", "POST"])
    @role_required("editor")
    def product(slug):
        """Edit a product: every field, its status, its variants."""
        product = _product_or_404(slug)
        current = editing.product_values(product)
        if request.method == "GET":
            form = ProductForm(data=product_data(current, product.version))
            return _product_page(product, form)
        form = ProductForm()
        if not form.validate_on_submit():
            return _product_page(product, form, status=422 if form.errors else 400)
        try:
            editing.update_product(db.session, slug, form.values(),
                                   expected_version=_version(form.version.data),
                                   actor=_actor())
        except StaleVersion:
            db.session.rollback()
            product = _product_or_404(slug)
            current = editing.product_values(product)
            form.version.data = str(product.version)  # the next save is made knowingly
            return _product_page(product, form, status=409,
                                 stale=_differences(current, form.values()))
        except NotFoundError:
            abort(404)
        except ServiceError as exc:
            db.session.rollback()
            if not _attach(form, exc):
                form.form_errors.append(exc.message)
            return _product_page(_product_or_404(slug), form, status=exc.status)
        new_slug = form.slug.data
        flash("Saved.")
        return redirect(url_for(".product", slug=new_slug), 303)

    @bp.route("/<slug>/status", methods=["POST"])
    @role_required("editor")
    def product_status(slug):
        """Publish, archive or restore."""
        product = _product_or_404(slug)
        form = StatusForm()
        if not form.validate_on_submit() or form.status.data not in STATUS_LABELS:
            flash("That change could not be made; please try again.")
            return redirect(url_for(".product", slug=slug), 303)
        try:
            editing.set_product_status(db.session, slug, form.status.data,
                                       expected_version=_version(form.version.data),
                                       actor=_actor())
            flash(f"{product.name} is now {form.status.data}.")
        except StaleVersion:
            db.session.rollback()
            flash("Someone else changed this product meanwhile, so its status was left as it "
                  "is; check it below and try again.")
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message)
        return redirect(url_for(".product", slug=slug), 303)

    @bp.route("/<slug>/variants", methods=["POST"])
    @role_required("editor")
    def add_variant(slug):
        """Add a variant; what was typed stays when something is wrong."""
        product = _product_or_404(slug)
        form = variant_form(product.options, currency=_shop_currency(), prefix=NEW_VARIANT)
        if form.validate_on_submit():
            try:
                variant = editing.create_variant(db.session, slug, form.values(),
                                                 actor=_actor())
            except ServiceError as exc:
                db.session.rollback()
                if not _attach(form, exc):
                    form.form_errors.append(exc.message)
            else:
                flash(f"Added {variant.name} ({variant.sku}).")
                return redirect(url_for(".product", slug=slug, _anchor="variants-title"), 303)
        product = _product_or_404(slug)
        page_form = ProductForm(data=product_data(editing.product_values(product),
                                                  product.version))
        return _product_page(product, page_form, status=422, new_variant=form)

    @bp.route("/<slug>/variants/<sku>", methods=["GET", "POST"])
    @role_required("editor")
    def variant(slug, sku):
        """Change one variant: price, compare-at, stock, options, whether it is offered."""
        try:
            found = editing.staff_variant(db.session, sku)
        except NotFoundError:
            abort(404)
        if found.product.slug != slug:
            abort(404)
        product = found.product
        currency = found.currency
        if request.method == "GET":
            form = variant_form(product.options, currency=currency, data=variant_data(found))
            return _variant_page(product, found, form)
        form = variant_form(product.options, currency=currency)
        if not form.validate_on_submit():
            return _variant_page(product, found, form, status=422 if form.errors else 400)
        try:
            changed = editing.update_variant(db.session, sku, form.values(),
                                             expected_version=_version(form.version.data),
                                             actor=_actor())
        except StaleVersion:
            db.session.rollback()
            found = editing.staff_variant(db.session, sku)
            form.version.data = str(found.version)
            typed = form.values()
            saved = editing.variant_values(found)
            stale = _differences(
                {**saved, "price": variant_data(found)["price"],
                 "compare_at_price": variant_data(found)["compare_at"]},
                {**typed, "price": form.price.data, "compare_at_price": form.compare_at.data})
            return _variant_page(found.product, found, form, status=409, stale=stale)
        except ServiceError as exc:
            db.session.rollback()
            if not _attach(form, exc):
                form.form_errors.append(exc.message)
            found = editing.staff_variant(db.session, sku)
            return _variant_page(found.product, found, form, status=exc.status)
        flash(f"Saved {changed.name} ({changed.sku}).")
        return redirect(url_for(".product", slug=slug, _anchor="variants-title"), 303)

    return bp


def _variant_page(product, variant, form, *, status=200, stale=None):
    return render_template("staff/variant.html", product=product, variant=variant, form=form,
                           stale=stale or [], history=editing.history(
                               db.session, "variant", variant.sku)), status
