"""Staff console: the order desk (admin). Find orders, read everything about one, and
fulfil, refund or cancel it; each result is told next to the form that asked for it."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectChoice, SelectField, StringField, URLField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from ..errors import NotFoundError, ServiceError
from ..extensions import db
from ..money import format_money, parse_money
from ..orders import services
from ..orders.models import PAID_STATUSES, Order, OrderStatus
from .console import end_idle_console_session
from .moderation_pages import role_required

PAGE_SIZE = 25
NOTICE_KEY = "order_desk_notice"  # the result of the last action, shown once beside its form


class OrderFilterForm(FlaskForm):
    """The list's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField("Status", default="", choices=[SelectChoice("", "Any status")] + [
        SelectChoice(s.value, s.value.replace("_", " ").capitalize()) for s in OrderStatus])
    q = SearchField("Number or email", validators=[Optional(), Length(max=254)])
    since = DateField("Placed from", validators=[Optional()])
    until = DateField("Placed until", validators=[Optional()])

    def validate_until(self, field):
        """A range that ends before it starts is a mistake."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("Must not be before the first day.")


class FulfilForm(FlaskForm):
    """The parcel sent: carrier and tracking, all optional."""

    carrier = StringField("Carrier", validators=[Optional(), Length(max=80)])
    tracking_number = StringField("Tracking number", validators=[Optional(), Length(max=120)])
    tracking_url = URLField("Tracking link", validators=[
        Optional(), Length(max=500),
        Regexp(r"^https?://[^\s/]+\.[^\s]*$", flags=re.IGNORECASE,
               message="Must be an http:// or https:// address.")])


class RefundForm(FlaskForm):
    """How much to give back, in the order's currency (12.50)."""

    amount = StringField("Amount to refund", validators=[InputRequired(), Length(max=30)])


class CancelForm(FlaskForm):
    """A CSRF-protected button."""


FORMS = {"fulfil": FulfilForm, "refund": RefundForm, "cancel": CancelForm}


def _state():
    return current_app.extensions["storefront"]


def _record_or_404(number: str) -> services.OrderRecord:
    try:
        return services.order_record(db.session, number)
    except NotFoundError:
        abort(404)


def _render_order(record: services.OrderRecord, *, status: int = 200, failed: str = "",
                  form: FlaskForm | None = None, problem: str = ""):
    """The order page; after a refused action, its form keeps what was typed and the
    reason stands beside it."""
    forms = {name: cls(formdata=None) for name, cls in FORMS.items()}
    notices = {}
    notice = session.pop(NOTICE_KEY, None)
    if isinstance(notice, dict) and notice.get("number") == record.order.number:
        notices[notice.get("action")] = {"message": notice.get("message", ""), "ok": True}
    if failed:
        forms[failed] = form
        notices[failed] = {"message": problem, "ok": False}
    order = record.order
    return render_template(
        "staff/order.html", record=record, order=order, forms=forms, notices=notices,
        refundable=services.refundable(order), can_fulfil=order.status == OrderStatus.PAID,
        can_refund=order.status in PAID_STATUSES and services.refundable(order) > 0,
        can_cancel=order.status == OrderStatus.PENDING_PAYMENT), status


def _done(number: str, action: str, message: str):
    """Post, redirect, get: the result waits in the session for the page to show it."""
    session[NOTICE_KEY] = {"number": number, "action": action, "message": message}
    return redirect(url_for(".order", number=number, _anchor=f"{action}-title"), 303)


def _refused(number: str, action: str, form: FlaskForm, problem: str, status: int):
    return _render_order(_record_or_404(number), status=status, failed=action, form=form,
                         problem=problem)


def _invalid(number: str, action: str, form: FlaskForm):
    if "csrf_token" in form.errors:
        return _refused(number, action, form, "The form had expired, so nothing was done; "
                        "please try again.", 400)
    return _refused(number, action, form, "Nothing was done: please correct the marked "
                    "fields.", 422)


def make_blueprint() -> Blueprint:
    """A fresh order desk blueprint for the staff console."""
    bp = Blueprint("staff_order_desk", __name__, url_prefix="/staff/orders")
    bp.before_request(end_idle_console_session)

    @bp.route("")
    @role_required("admin")
    def orders():
        """Orders, newest first, filtered by status, number or email, and day placed."""
        form = OrderFilterForm(formdata=request.args)
        rows: list[Order] = []
        next_cursor, status = None, 200
        if form.validate():
            filters = services.OrderFilter(status=form.status.data or None, q=form.q.data,
                                           since=form.since.data, until=form.until.data)
            try:
                rows, next_cursor = services.find_orders(
                    db.session, filters, limit=PAGE_SIZE, cursor=request.args.get("cursor"))
            except ServiceError:  # a cursor that is not ours
                abort(404)
        else:
            status = 400
        query = {name: request.args.get(name) for name in ("status", "q", "since", "until")
                 if request.args.get(name)}
        return render_template("staff/orders.html", form=form, orders=rows,
                               next_cursor=next_cursor, query=query), status

    @bp.route("/<number>")
    @role_required("admin")
    def order(number):
        """Everything about one order, and what can be done with it."""
        return _render_order(_record_or_404(number))

    @bp.route("/<number>/fulfil", methods=["POST"])
    @role_required("admin")
    def fulfil(number):
        """Mark a paid order as sent, with its tracking."""
        form = FulfilForm()
        if not form.validate_on_submit():
            return _invalid(number, "fulfil", form)
        state = _state()
        try:
            order = services.fulfil(
                db.session, state.plugins, number, actor=current_user.email,
                settings=state.settings, carrier=(form.carrier.data or "").strip(),
                tracking_number=(form.tracking_number.data or "").strip(),
                tracking_url=(form.tracking_url.data or "").strip())
        except NotFoundError:
            abort(404)
        except ServiceError as exc:
            return _refused(number, "fulfil", form, exc.message, exc.status)
        return _done(order.number, "fulfil", f"Order {order.number} is marked as fulfilled.")

    @bp.route("/<number>/refunds", methods=["POST"])
    @role_required("admin")
    def refund(number):
        """Refund part or all of a paid order."""
        form = RefundForm()
        if not form.validate_on_submit():
            return _invalid(number, "refund", form)
        currency = _record_or_404(number).order.currency
        try:
            amount = parse_money(form.amount.data, currency)
        except ValueError:
            amount = 0
        if amount <= 0:
            form.amount.errors = [f"Enter an amount above 0, such as "
                                  f"{format_money(1250, currency)}."]
            return _invalid(number, "refund", form)
        state = _state()
        try:
            made = services.refund(db.session, state.plugins, number, amount,
                                   actor=current_user.email, settings=state.settings)
        except NotFoundError:
            abort(404)
        except ServiceError as exc:
            return _refused(number, "refund", form, exc.message, exc.status)
        order = services.get_order(db.session, number)
        message = f"Refunded {format_money(made.amount, made.currency)}"
        if made.status != services.RefundStatus.SUCCEEDED:
            message += " (the provider is still settling it)"
        if order.status == OrderStatus.REFUNDED:
            message += "; the order is now fully refunded."
        else:
            message += (f"; {format_money(services.refundable(order), order.currency)} "
                        "can still be refunded.")
        return _done(order.number, "refund", message)

    @bp.route("/<number>/cancel", methods=["POST"])
    @role_required("admin")
    def cancel(number):
        """Cancel an order still waiting for payment."""
        form = CancelForm()
        if not form.validate_on_submit():
            return _invalid(number, "cancel", form)
        state = _state()
        try:
            order = services.cancel(db.session, state.plugins, number,
                                    actor=current_user.email, settings=state.settings)
        except NotFoundError:
            abort(404)
        except ServiceError as exc:
            return _refused(number, "cancel", form, exc.message, exc.status)
        return _done(order.number, "cancel",
                     f"Order {order.number} is cancelled and its stock is back on sale.")

    return bp
