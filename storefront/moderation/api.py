"""Staff moderation API: the queue across kinds, and decisions."""

from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..extensions import db
from ..pagination import page_schema
from ..restapi import service_errors
from ..staff.auth import require_token
from . import services
from .schemas import (
    ModerationActionSchema,
    ModerationItemSchema,
    ModerationQueryArgsSchema,
    item_dict,
)

ModerationPageSchema = page_schema(ModerationItemSchema, "ModerationPage")


def make_blueprint() -> Blueprint:
    """A fresh staff moderation blueprint for one app."""
    blp = Blueprint("staff_moderation", __name__, url_prefix="/staff/moderation",
                    description="The moderation queue (moderators and admins).")

    @blp.route("")
    class Queue(MethodView):
        @require_token("moderator")
        @blp.arguments(ModerationQueryArgsSchema, location="query")
        @blp.response(200, ModerationPageSchema)
        @blp.doc(security=[{"bearerAuth": []}])
        def get(self, args):
            """List the queue across kinds, oldest first; `status=all` shows everything."""
            plugins = current_app.extensions["storefront"].plugins
            status = None if args["status"] == "all" else args["status"]
            with service_errors():
                rows, next_cursor = services.queue(db.session, plugins, status=status,
                                                   kind=args["kind"], limit=args["limit"],
                                                   cursor=args["cursor"])
            return {"items": [item_dict(i) for i in rows], "next_cursor": next_cursor}

    @blp.route("/<kind>/<int:item_id>")
    class Decide(MethodView):
        @require_token("moderator")
        @blp.arguments(ModerationActionSchema)
        @blp.response(200, ModerationItemSchema)
        @blp.alt_response(404, description="No such kind or item.")
        @blp.alt_response(409, description="The action does not apply to the item's status.")
        @blp.doc(security=[{"bearerAuth": []}])
        def post(self, decision, kind, item_id):
            """Approve, reject, mark as spam or unpublish an item, with an optional reason."""
            plugins = current_app.extensions["storefront"].plugins
            with service_errors():
                item = services.act(db.session, plugins, kind=kind, item_id=item_id,
                                    actor=g.staff_user, **decision)
            return item_dict(item)

    return blp
