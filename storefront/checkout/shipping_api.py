"""Staff API for shipping methods (admin): what they cost, how long they take, where they go."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from ..catalog.models import Variant
from ..catalog.schemas import MAX_PRICE
from ..extensions import db
from ..restapi import service_errors
from ..schemas import InputString, MoneySchema, StrictSchema
from ..staff.auth import require_token
from . import shipping


def _country(value: str) -> None:
    if not (len(value) == 2 and value.isalpha()):
        raise ma.ValidationError("Use a two-letter country code, such as US.")


class ShippingMethodInputSchema(StrictSchema):
    """A shipping method; money in minor units of the shop's currency."""

    name = InputString(required=True, min_length=1, max_length=120,
                       metadata={"example": "Standard"})
    amount = ma.fields.Integer(required=True, strict=True,
                               validate=ma.validate.Range(min=0, max=MAX_PRICE),
                               metadata={"example": 499})
    estimate = InputString(load_default="", max_length=120,
                           metadata={"example": "3-5 business days"})
    min_days = ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                                 validate=ma.validate.Range(min=0, max=365))
    max_days = ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                                 validate=ma.validate.Range(min=0, max=365))
    countries = ma.fields.List(InputString(max_length=2, validate=_country), required=True,
                               validate=ma.validate.Length(min=1, max=250),
                               metadata={"example": ["US", "CA"]})
    free_above = ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                                   validate=ma.validate.Range(min=0, max=MAX_PRICE),
                                   metadata={"description": "Free for a subtotal at least this."})
    active = ma.fields.Boolean(load_default=True)

    @ma.validates_schema
    def days_in_order(self, data, **kwargs):
        low, high = data.get("min_days"), data.get("max_days")
        if low is not None and high is not None and low > high:
            raise ma.ValidationError("min_days must not be more than max_days.", "min_days")


class ShippingMethodPatchSchema(ShippingMethodInputSchema):
    """Some fields of a shipping method (those left out keep their values)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "partial": True})


class ShippingMethodSchema(ma.Schema):
    """A shipping method as staff set it up."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    amount = ma.fields.Nested(MoneySchema, required=True)
    estimate = ma.fields.String(required=True)
    min_days = ma.fields.Integer(allow_none=True, required=True)
    max_days = ma.fields.Integer(allow_none=True, required=True)
    countries = ma.fields.List(ma.fields.String(), required=True)
    free_above = ma.fields.Nested(MoneySchema, allow_none=True, required=True)
    active = ma.fields.Boolean(required=True)


class ShippingMethodListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ShippingMethodSchema), required=True)


def shop_currency(session) -> str:
    """The currency the catalogue is priced in (the demo's `usd` for an empty shop)."""
    return session.scalar(select(Variant.currency).group_by(Variant.currency)
                          .order_by(func.count().desc()).limit(1)) or "usd"


def make_blueprint() -> Blueprint:
    """A fresh staff shipping-methods blueprint for one app."""
    blp = Blueprint("staff_shipping", __name__, url_prefix="/staff/shipping-methods",
                    description="Shipping methods (admin).")

    @blp.route("")
    class Methods(MethodView):
        @require_token("admin")
        @blp.response(200, ShippingMethodListSchema)
        @blp.doc(security=[{"bearerAuth": []}])
        def get(self):
            """List the shipping methods, active or not, in the order shoppers see them."""
            return {"items": [shipping.method_dict(m) for m in shipping.list_methods(db.session)]}

        @require_token("admin")
        @blp.arguments(ShippingMethodInputSchema)
        @blp.response(201, ShippingMethodSchema)
        @blp.doc(security=[{"bearerAuth": []}])
        def post(self, data):
            """Add a shipping method (money in minor units of the shop's currency)."""
            with service_errors():
                method = shipping.create_method(db.session, data,
                                                currency=shop_currency(db.session))
                db.session.commit()
                return shipping.method_dict(method)

    @blp.route("/<int:method_id>")
    class Method(MethodView):
        @require_token("admin")
        @blp.arguments(ShippingMethodPatchSchema)
        @blp.response(200, ShippingMethodSchema)
        @blp.alt_response(404, description="No such shipping method.")
        @blp.doc(security=[{"bearerAuth": []}])
        def patch(self, data, method_id):
            """Change a shipping method; `active: false` stops offering it."""
            with service_errors():
                method = shipping.update_method(db.session, method_id, data)
                db.session.commit()
                return shipping.method_dict(method)

    return blp
