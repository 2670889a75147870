"""Staff API: who am I (every staff endpoint sits behind `require_token`)."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from .auth import require_token


class StaffMeSchema(ma.Schema):
    """The staff member a token belongs to."""

    email = ma.fields.String(required=True)
    role = ma.fields.String(required=True)


def make_blueprint() -> Blueprint:
    """A fresh staff API blueprint for one app."""
    blp = Blueprint("staff_me", __name__, url_prefix="/staff/me",
                    description="The staff member behind a token.")

    @blp.route("")
    class Me(MethodView):
        @require_token(None)
        @blp.response(200, StaffMeSchema)
        @blp.doc(security=[{"bearerAuth": []}])
        def get(self):
            """Show the staff member this token belongs to."""
            return {"email": g.staff_user.email, "role": g.staff_user.role}

    return blp
