"""Bearer-token authentication for the staff API."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_smorest import abort

from ..extensions import db
from . import services

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="storefront staff"'}


def require_token(role: str | None):
    """Let the view run only for a staff member with `role` (admins pass every role check;
    `None` lets in every active staff member)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                abort(401, message="A staff bearer token is required.", headers=CHALLENGE)
            user = services.user_for_token(db.session, token.strip())
            if user is None:
                abort(401, message="The bearer token is not valid.", headers=CHALLENGE)
            elif role is not None and not user.has_role(role):
                abort(403, message=f"This needs the {role} role.")
            g.staff_user = user
            return view(*args, **kwargs)

        return wrapper

    return decorator
