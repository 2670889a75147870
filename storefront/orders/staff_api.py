"""The order desk API (admin): find orders, see everything about one, fulfil, refund, cancel."""

from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..extensions import db
from ..restapi import service_errors
from ..staff.auth import require_token
from . import services
from .staff_schemas import (
    StaffFulfilmentCreateSchema,
    StaffOrderPageSchema,
    StaffOrderQueryArgsSchema,
    StaffOrderSchema,
    StaffRefundCreateSchema,
    StaffRefundResultSchema,
    refund_result,
    staff_order_dict,
    staff_order_summary,
)

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _state():
    return current_app.extensions["storefront"]


def _detail(number: str) -> dict:
    return staff_order_dict(services.order_record(db.session, number))


def make_blueprint() -> Blueprint:
    """A fresh order desk blueprint for one app."""
    blp = Blueprint("staff_orders", __name__, url_prefix="/staff/orders",
                    description="The order desk (admin): orders, fulfilment, refunds and "
                                "cancellations, each written to the audit log.")

    @blp.route("")
    class Orders(MethodView):
        @require_token("admin")
        @blp.arguments(StaffOrderQueryArgsSchema, location="query")
        @blp.response(200, StaffOrderPageSchema)
        @blp.doc(security=SECURITY)
        def get(self, args):
            """List orders, newest first, by status, number or email, and day placed."""
            filters = services.OrderFilter(status=args["status"], q=args["q"],
                                           since=args["since"], until=args["until"])
            with service_errors():
                rows, next_cursor = services.find_orders(
                    db.session, filters, limit=args["limit"], cursor=args["cursor"])
            return {"items": [staff_order_summary(o) for o in rows], "next_cursor": next_cursor}

    @blp.route("/<number>")
    class OrderDetail(MethodView):
        @require_token("admin")
        @blp.response(200, StaffOrderSchema)
        @blp.alt_response(404, description="No such order.")
        @blp.doc(security=SECURITY)
        def get(self, number):
            """Show an order with its payment events, emails and audit log."""
            with service_errors():
                return _detail(number)

    @blp.route("/<number>/fulfil")
    class Fulfil(MethodView):
        @require_token("admin")
        @blp.arguments(StaffFulfilmentCreateSchema)
        @blp.response(200, StaffOrderSchema)
        @blp.alt_response(404, description="No such order.")
        @blp.alt_response(409, description="Only paid orders can be fulfilled.")
        @blp.doc(security=SECURITY)
        def post(self, parcel, number):
            """Mark a paid order as fulfilled (shipped), with its tracking; emails the shopper."""
            state = _state()
            with service_errors():
                order = services.fulfil(db.session, state.plugins, number,
                                        actor=g.staff_user.email, settings=state.settings,
                                        **parcel)
                return _detail(order.number)

    @blp.route("/<number>/refunds")
    class Refunds(MethodView):
        @require_token("admin")
        @blp.arguments(StaffRefundCreateSchema)
        @blp.response(201, StaffRefundResultSchema)
        @blp.alt_response(404, description="No such order.")
        @blp.alt_response(409, description="Only paid or fulfilled orders can be refunded.")
        @blp.alt_response(422, description="The amount is missing, not a whole number above "
                                           "0, or more than remains to refund.")
        @blp.alt_response(502, description="The payment provider failed; nothing was "
                                           "refunded.")
        @blp.doc(security=SECURITY)
        def post(self, body, number):
            """Refund part or all of a paid order through its payment provider."""
            state = _state()
            with service_errors():
                refund = services.refund(db.session, state.plugins, number, body["amount"],
                                         actor=g.staff_user.email, settings=state.settings)
                return refund_result(refund, services.get_order(db.session, number))

    @blp.route("/<number>/cancel")
    class Cancel(MethodView):
        @require_token("admin")
        @blp.response(200, StaffOrderSchema)
        @blp.alt_response(404, description="No such order.")
        @blp.alt_response(409, description="Only orders waiting for payment can be "
                                           "cancelled (also when it was paid meanwhile).")
        @blp.alt_response(502, description="The payment provider could not be asked; the "
                                           "order is unchanged.")
        @blp.doc(security=SECURITY)
        def post(self, number):
            """Cancel an order still waiting for payment and put its stock back."""
            state = _state()
            with service_errors():
                order = services.cancel(db.session, state.plugins, number,
                                        actor=g.staff_user.email, settings=state.settings)
                return _detail(order.number)

    return blp
