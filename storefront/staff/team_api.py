"""Staff API: the team (admin): members, invitations, roles and deactivation."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..extensions import db
from ..restapi import service_errors
from ..schemas import InputEmail, StrictSchema
from . import team
from .auth import require_token
from .models import ROLES
from .team_pages import request_site_url

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


class StaffMemberSchema(ma.Schema):
    """A staff member as admins see them."""

    email = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": list(ROLES)})
    active = ma.fields.Boolean(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    last_login_at = ma.fields.AwareDateTime(allow_none=True, required=True)


class StaffMemberListSchema(ma.Schema):
    """Everyone on the staff, by email."""

    items = ma.fields.List(ma.fields.Nested(StaffMemberSchema), required=True)


class StaffMemberPatchSchema(StrictSchema):
    """What to change: the role, whether the person may sign in, or both."""

    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))
    active = ma.fields.Boolean()

    @ma.validates_schema
    def something_to_change(self, data, **kwargs):
        """An empty change is a mistake, not a success."""
        if not data:
            raise ma.ValidationError("Give `role`, `active` or both.", "_schema")


class StaffInviteCreateSchema(StrictSchema):
    """Who to invite, and as what."""

    email = InputEmail(required=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))


class StaffInviteSchema(ma.Schema):
    """A new invitation; `url` is its one-time link, shown in this answer only."""

    email = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    invited_by = ma.fields.String(required=True)
    expires_at = ma.fields.AwareDateTime(required=True)
    url = ma.fields.String(required=True, metadata={
        "description": "The one-time link to accept the invitation. It is not stored and "
                       "is never shown again; it is also emailed to the invited person."})


def make_blueprint() -> Blueprint:
    """A fresh staff team blueprint for one app."""
    blp = Blueprint("staff_team", __name__, url_prefix="/staff",
                    description="The staff team: members, invitations and roles (admin).")

    @blp.route("/members")
    class Members(MethodView):
        @require_token("admin")
        @blp.response(200, StaffMemberListSchema)
        @blp.doc(security=SECURITY)
        def get(self):
            """List every staff member (admin), active or not, with role and last login."""
            return {"items": team.members(db.session)}

    @blp.route("/members/<email>")
    class Member(MethodView):
        @require_token("admin")
        @blp.arguments(StaffMemberPatchSchema)
        @blp.response(200, StaffMemberSchema)
        @blp.alt_response(404, description="No staff member with this email.")
        @blp.alt_response(409, description="It would leave the shop without an active admin.")
        @blp.doc(security=SECURITY)
        def patch(self, data, email):
            """Change a member's role and/or shut or reopen their account (admin).

            Deactivating ends their console sessions and stops their tokens. The last
            active admin cannot be demoted or deactivated (409)."""
            with service_errors():
                return team.change_member(db.session, email=email, actor=g.staff_user.email,
                                          role=data.get("role"), active=data.get("active"))

    @blp.route("/invites")
    class Invites(MethodView):
        @require_token("admin")
        @blp.arguments(StaffInviteCreateSchema)
        @blp.response(201, StaffInviteSchema)
        @blp.alt_response(409, description="The address is already on the staff.")
        @blp.doc(security=SECURITY)
        def post(self, data):
            """Invite someone to the staff with a role (admin).

            The answer carries the one-time link (`url`) once; the same link is emailed
            to the address. It expires after seven days."""
            settings = current_app.extensions["storefront"].settings
            with service_errors():
                made = team.invite(db.session, email=data["email"], role=data["role"],
                                   invited_by=g.staff_user.email, site_url=request_site_url(),
                                   shop_name=settings.shop_name)
            return {"email": made.invite.email, "role": made.invite.role,
                    "invited_by": made.invite.invited_by,
                    "expires_at": made.invite.expires_at, "url": made.url}

    return blp
