"""Staff console: discount codes (admin): what they take off, their limits and their uses."""

from __future__ import annotations

from datetime import UTC

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..checkout.shipping_api import shop_currency
from ..discounts import codes
from ..discounts.models import DiscountCode
from ..discounts.schemas import CODE_INPUT, MAX_USES
from ..errors import ServiceError
from ..extensions import db
from ..money import decimal_amount
from .catalog_forms import MoneyForm
from .moderation_pages import role_required

MAX_MONEY_TEXT = 12
KIND_CHOICES = [SelectChoice("percent", "Percent off"), SelectChoice("amount", "Amount off")]
# Form fields that stand for a field of the code, to show a refusal beside the right one.
FIELD_OF = {"percent_off": "value", "amount_off": "value", "code": "code",
            "source": "source", "ends_at": "ends_at"}


class CodeForm(MoneyForm):
    """A discount code, with money typed as people write it ("5.00")."""

    money_example = "5.00"

    code = StringField("Code", validators=[DataRequired(), Regexp(
        CODE_INPUT, message="Use 3 to 40 letters, digits, - or _.")],
        description="Shoppers type it in any case; it is kept in capitals.")
    kind = SelectField("Kind", choices=KIND_CHOICES)
    value = StringField("Percent or amount off", validators=[DataRequired(),
                                                             Length(max=MAX_MONEY_TEXT)],
                        description="A whole percent from 1 to 100, or an amount such as 5.00.")
    min_subtotal = StringField("Minimum subtotal", validators=[Optional(),
                                                               Length(max=MAX_MONEY_TEXT)],
                               description="Leave empty for any cart.")
    starts_at = DateTimeLocalField("Starts (UTC)", format="%Y-%m-%dT%H:%M",
                                   validators=[Optional()])
    ends_at = DateTimeLocalField("Ends (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    max_uses = IntegerField("Uses in all", validators=[Optional(), NumberRange(1, MAX_USES)],
                            description="Leave empty for no limit.")
    max_uses_per_email = IntegerField("Uses per email address",
                                      validators=[Optional(), NumberRange(1, MAX_USES)])
    source = StringField("Belongs to", validators=[Optional(), Length(max=200)],
                         description="article:<slug> or campaign:<name>, for the reports.")
    active = BooleanField("Shoppers can use it", default=True)
    submit = SubmitField("Save")

    def validate_value(self, field):
        self._value()

    def validate_min_subtotal(self, field):
        if field.data:
            self._money(field)

    def _value(self) -> int:
        text = (self.value.data or "").strip().removesuffix("%").strip()
        if self.kind.data == "percent":
            if not text.isdigit() or not 1 <= int(text) <= 100:
                raise ValidationError("Type a whole percent from 1 to 100.")
            return int(text)
        amount = self._money(self.value)
        if not 1 <= amount <= 99_999_999:
            raise ValidationError("Type an amount above 0.")
        return amount

    def values(self) -> dict:
        value = self._value()
        return {"code": self.code.data,
                "percent_off": value if self.kind.data == "percent" else None,
                "amount_off": value if self.kind.data == "amount" else None,
                "min_subtotal": (self._money(self.min_subtotal) if self.min_subtotal.data
                                 else None),
                "starts_at": _utc(self.starts_at.data), "ends_at": _utc(self.ends_at.data),
                "max_uses": self.max_uses.data, "max_uses_per_email":
                    self.max_uses_per_email.data,
                "source": (self.source.data or "").strip() or None, "active": self.active.data}


def _utc(value):
    return value.replace(tzinfo=UTC) if value is not None else None


def _filled(row: DiscountCode) -> dict:
    money = row.currency
    return {"code": row.code, "kind": "percent" if row.percent_off is not None else "amount",
            "value": (str(row.percent_off) if row.percent_off is not None
                      else decimal_amount(row.amount_off or 0, money)),
            "min_subtotal": (decimal_amount(row.min_subtotal, money)
                             if row.min_subtotal is not None else ""),
            "starts_at": row.starts_at.replace(tzinfo=None) if row.starts_at else None,
            "ends_at": row.ends_at.replace(tzinfo=None) if row.ends_at else None,
            "max_uses": row.max_uses, "max_uses_per_email": row.max_uses_per_email,
            "source": row.source or "", "active": row.active}


def _refused(form: CodeForm, exc: ServiceError) -> None:
    """Show a service's refusal beside the field it is about (else beside the code)."""
    field = getattr(form, FIELD_OF.get(exc.details.get("field") or "", "code"))
    field.errors = [*field.errors, exc.message]


def register(bp) -> None:
    """Add the discount code pages to the staff console blueprint."""

    def saved(form, done: str, write) -> bool:
        """Commit what `write()` does and say so, or show its refusal beside the form."""
        try:
            row = write()
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            _refused(form, exc)
            return False
        flash(done.format(row.code))
        return True

    def page(form, editing, status):
        return render_template("staff/discount_codes.html", codes=codes.list_codes(db.session),
                               sales=codes.sales_by_code(db.session), no_sales=codes.NO_SALES,
                               remaining=codes.remaining, form=form, editing=editing), status

    @bp.route("/discount-codes", methods=["GET", "POST"])
    @role_required("admin")
    def discount_codes():
        """Every code with its uses, and a form to add one."""
        form = CodeForm(currency=shop_currency(db.session))
        if form.validate_on_submit() and saved(form, "Added {}.", lambda: codes.create_code(
                db.session, form.values(), currency=form.currency, actor=current_user.email)):
            return redirect(url_for(".discount_codes"), 303)
        return page(form, None, 422 if form.errors else 200)

    @bp.route("/discount-codes/<code>", methods=["GET", "POST"])
    @role_required("admin")
    def discount_code(code):
        """Change one code, or deactivate it; what was typed stays when something is wrong."""
        try:
            row = codes.get_code(db.session, code)
        except ServiceError:
            abort(404)
        form = CodeForm(currency=row.currency, data=_filled(row))
        form.code.data = row.code  # the code itself never changes
        changes = {k: v for k, v in form.values().items() if k != "code"} \
            if form.validate_on_submit() else None
        if changes is not None and saved(form, "Saved {}.", lambda: codes.update_code(
                db.session, row.code, changes, actor=current_user.email)):
            return redirect(url_for(".discount_codes"), 303)
        return page(form, row, 422 if form.errors else 200)
