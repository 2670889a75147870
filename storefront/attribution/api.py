"""Attribution report API (admin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from ..extensions import db
from ..money import Money
from ..schemas import InputSchema, MoneySchema
from ..staff.auth import require_token
from . import services

DEFAULT_DAYS = 30


class ReportArgsSchema(InputSchema):
    """The date range, both ends included (default: the last 30 days)."""

    since = ma.fields.Date(load_default=None)
    until = ma.fields.Date(load_default=None)

    @ma.validates_schema
    def ordered(self, data, **kwargs):
        """A range that ends before it starts is a mistake."""
        since, until = resolve_range(data.get("since"), data.get("until"))
        if since > until:
            raise ma.ValidationError("`since` must not be after `until`.", "since")
        if (until - since).days > 3660:
            raise ma.ValidationError("Ask for ten years at most.", "since")


class FirstTouchSchema(ma.Schema):
    """Orders whose journey began with this source, and their whole revenue."""

    orders = ma.fields.Integer(required=True)
    revenue = ma.fields.Nested(MoneySchema, required=True)


class SourceRowSchema(ma.Schema):
    """What one source did in the range. `orders`, `units` and `revenue` are last touch:
    the order lines this source was the last touch of, revenue net of discounts and
    refunds, split over an order's lines by their amounts."""

    source = ma.fields.String(required=True, metadata={"example": "article:<slug>"})
    title = ma.fields.String(required=True, metadata={
        "description": "The content's title; the campaign's name; \"Direct\"."})
    views = ma.fields.Integer(required=True)
    add_to_carts = ma.fields.Integer(required=True)
    orders = ma.fields.Integer(required=True)
    units = ma.fields.Integer(required=True)
    revenue = ma.fields.Nested(MoneySchema, required=True)
    first_touch = ma.fields.Nested(FirstTouchSchema, required=True)
    assisted_orders = ma.fields.Integer(required=True, metadata={
        "description": "Orders whose journey touched this source on the way, without it "
                       "being their first touch or the last touch of one of their lines."})


class ReportSchema(ma.Schema):
    """The attribution report."""

    since = ma.fields.Date(required=True)
    until = ma.fields.Date(required=True)
    items = ma.fields.List(ma.fields.Nested(SourceRowSchema), required=True)


def resolve_range(since, until):
    """Fill in the default range around what was given."""
    until = until or datetime.now(UTC).date()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    return since, until


def row_dict(row: services.SourceRow) -> dict:
    """One report line for the API."""
    first_revenue = row.first_revenue or Money(0, row.revenue.currency)
    return {"source": row.source, "title": row.title, "views": row.views,
            "add_to_carts": row.add_to_carts, "orders": row.orders, "units": row.units,
            "revenue": row.revenue.as_dict(),
            "first_touch": {"orders": row.first_orders, "revenue": first_revenue.as_dict()},
            "assisted_orders": row.assisted_orders}


def make_blueprint() -> Blueprint:
    """A fresh staff report blueprint for one app."""
    blp = Blueprint("staff_reports", __name__, url_prefix="/staff/reports",
                    description="Which content sold what (admin).")

    @blp.route("/attribution")
    class Attribution(MethodView):
        @require_token("admin")
        @blp.arguments(ReportArgsSchema, location="query")
        @blp.response(200, ReportSchema)
        @blp.doc(security=[{"bearerAuth": []}])
        def get(self, args):
            """Views, adds to cart, and paid orders, units and revenue per source: last touch,
            first touch and assisted (docs/attribution.md)."""
            since, until = resolve_range(args["since"], args["until"])
            rows = services.report(db.session, since=since, until=until)
            return {"since": since, "until": until, "items": [row_dict(r) for r in rows]}

    return blp
