"""Staff console: shipping methods (admin): what they cost, how long they take, where to."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..checkout import shipping
from ..checkout.shipping_api import shop_currency
from ..extensions import db
from ..money import decimal_amount, parse_money
from ..orders.models import ShippingMethod
from .moderation_pages import role_required

MAX_PRICE_TEXT = 12


class MethodForm(FlaskForm):
    """A shipping method, with prices typed as people write them ("4.99")."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    price = StringField("Price", validators=[DataRequired(), Length(max=MAX_PRICE_TEXT)],
                        description="For example 4.99; 0 for free shipping.")
    estimate = StringField("Delivery estimate", validators=[Optional(), Length(max=120)],
                           description="As shoppers read it, for example 3-5 business days.")
    min_days = IntegerField("Fewest business days", validators=[Optional(),
                                                                NumberRange(0, 365)])
    max_days = IntegerField("Most business days", validators=[Optional(), NumberRange(0, 365)])
    countries = StringField("Countries", validators=[DataRequired(), Length(max=800)],
                            description="Two-letter codes, separated by commas: US, CA.")
    free_above = StringField("Free for orders from", validators=[Optional(),
                                                                 Length(max=MAX_PRICE_TEXT)],
                             description="Leave empty if it is never free.")
    active = BooleanField("Offered to shoppers", default=True)
    submit = SubmitField("Save")

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def validate_price(self, field):
        self._money(field)

    def validate_free_above(self, field):
        if field.data:
            self._money(field)

    def validate_countries(self, field):
        codes = [c.strip() for c in field.data.split(",") if c.strip()]
        wrong = [c for c in codes if not (len(c) == 2 and c.isalpha())]
        if wrong or not codes:
            raise ValidationError(f"Use two-letter codes such as US; {', '.join(wrong) or 'none'} "
                                  "will not do.")

    def validate_max_days(self, field):
        if field.data is not None and self.min_days.data is not None \
                and field.data < self.min_days.data:
            raise ValidationError("This must be at least the fewest days.")

    def _money(self, field) -> int:
        try:
            return parse_money(field.data, self.currency)
        except ValueError:
            raise ValidationError("Type an amount such as 4.99.") from None

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "amount": self._money(self.price),
                "estimate": (self.estimate.data or "").strip(),
                "min_days": self.min_days.data, "max_days": self.max_days.data,
                "countries": [c.strip().upper() for c in self.countries.data.split(",")
                              if c.strip()],
                "free_above": self._money(self.free_above) if self.free_above.data else None,
                "active": self.active.data}


def _filled(method: ShippingMethod) -> dict:
    return {"name": method.name, "price": decimal_amount(method.amount, method.currency),
            "estimate": method.estimate, "min_days": method.min_days,
            "max_days": method.max_days, "countries": ", ".join(method.country_codes),
            "free_above": (decimal_amount(method.free_above, method.currency)
                           if method.free_above is not None else ""),
            "active": method.active}


def register(bp) -> None:
    """Add the shipping pages to the staff console blueprint."""

    @bp.route("/shipping", methods=["GET", "POST"])
    @role_required("admin")
    def shipping_methods():
        """Every method, and a form to add one."""
        currency = shop_currency(db.session)
        form = MethodForm(currency=currency)
        if form.validate_on_submit():
            method = shipping.create_method(db.session, form.values(), currency=currency)
            db.session.commit()
            flash(f"Added {method.name}.")
            return redirect(url_for(".shipping_methods"), 303)
        status = 422 if form.errors else 200
        return render_template("staff/shipping.html", methods=shipping.list_methods(db.session),
                               form=form, editing=None), status

    @bp.route("/shipping/<int:method_id>", methods=["GET", "POST"])
    @role_required("admin")
    def shipping_method(method_id):
        """Change one method; what was typed stays when something is wrong."""
        method = db.get_or_404(ShippingMethod, method_id)
        form = MethodForm(currency=method.currency, data=_filled(method))
        if form.validate_on_submit():
            shipping.update_method(db.session, method_id, form.values())
            db.session.commit()
            flash(f"Saved {method.name}.")
            return redirect(url_for(".shipping_methods"), 303)
        status = 422 if form.errors else 200
        return render_template("staff/shipping.html", methods=shipping.list_methods(db.session),
                               form=form, editing=method), status
