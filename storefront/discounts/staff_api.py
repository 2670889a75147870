"""Staff API for discount codes (admin): list, create, change and deactivate them."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..checkout.shipping_api import shop_currency
from ..extensions import db
from ..restapi import service_errors
from ..staff.auth import require_token
from . import codes
from .schemas import (
    DiscountCodeInputSchema,
    DiscountCodeListSchema,
    DiscountCodePatchSchema,
    DiscountCodeSchema,
)

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def make_blueprint() -> Blueprint:
    """A fresh staff discount-codes blueprint for one app."""
    blp = Blueprint("staff_discounts", __name__, url_prefix="/staff/discount-codes",
                    description="Discount codes (admin), each change written to the audit "
                                "log.")

    @blp.route("")
    class Codes(MethodView):
        @require_token("admin")
        @blp.response(200, DiscountCodeListSchema)
        @blp.doc(security=SECURITY)
        def get(self):
            """List every discount code, newest first, with its uses."""
            sales = codes.sales_by_code(db.session)
            return {"items": [codes.code_dict(row, sales.get(row.code, codes.NO_SALES))
                              for row in codes.list_codes(db.session)]}

        @require_token("admin")
        @blp.arguments(DiscountCodeInputSchema)
        @blp.response(201, DiscountCodeSchema)
        @blp.alt_response(409, description="The code exists (`reason`: "
                                           "`discount_code_taken`).")
        @blp.doc(security=SECURITY)
        def post(self, data):
            """Create a code: `percent_off` (1-100) or `amount_off` (minor units)."""
            with service_errors():
                try:
                    row = codes.create_code(db.session, data, currency=shop_currency(db.session),
                                            actor=g.staff_user.email)
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    raise
                return codes.code_dict(row)

    @blp.route("/<code>")
    class Code(MethodView):
        @require_token("admin")
        @blp.arguments(DiscountCodePatchSchema)
        @blp.response(200, DiscountCodeSchema)
        @blp.alt_response(404, description="No such code.")
        @blp.doc(security=SECURITY)
        def patch(self, data, code):
            """Change a code; `active: false` deactivates it (carts holding it show why)."""
            with service_errors():
                try:
                    row = codes.update_code(db.session, code, data, actor=g.staff_user.email)
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    raise
                sales = codes.sales_by_code(db.session).get(row.code, codes.NO_SALES)
                return codes.code_dict(row, sales)

    return blp
