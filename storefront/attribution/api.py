"""Attribution report API (admin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from ..extensions import db
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


class SourceRowSchema(ma.Schema):
    """What one source did in the range."""

    source = ma.fields.String(required=True, metadata={"example": "article:<slug>"})
    views = ma.fields.Integer(required=True)
    add_to_carts = ma.fields.Integer(required=True)
    orders = ma.fields.Integer(required=True)
    units = ma.fields.Integer(required=True)
    revenue = ma.fields.Nested(MoneySchema, required=True)


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
    return {"source": row.source, "views": row.views, "add_to_carts": row.add_to_carts,
            "orders": row.orders, "units": row.units, "revenue": row.revenue.as_dict()}


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
            """Views, adds to cart, paid orders, units and revenue per content source."""
            since, until = resolve_range(args["since"], args["until"])
            rows = services.report(db.session, since=since, until=until)
            return {"since": since, "until": until, "items": [row_dict(r) for r in rows]}

    return blp
