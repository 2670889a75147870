"""Newsletter API: the public sign-up, and the confirmed addresses as CSV for admins."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from storefront.plugin_api import (
    InputEmail,
    InputString,
    StrictSchema,
    db,
    limiter,
    require_token,
    service_errors,
)

from . import newsletter
from .newsletter_pages import NEWSLETTER_RATE_LIMIT, RATE_LIMIT_SCOPE, mailing

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
CSV_FILENAME = "newsletter-subscribers.csv"


class SubscriptionCreateSchema(StrictSchema):
    """An address that asks for the newsletter, and where it was asked."""

    email = InputEmail(required=True, metadata={"description": "Never shown anywhere."})
    source = InputString(max_length=200, load_default=None, metadata={
        "description": "`article:<slug>` of the published article the reader signed up "
                       "from; anything else is a 422 naming `source`."})


class SubscriptionAcceptedSchema(ma.Schema):
    """The same answer for every address, known or not."""

    message = ma.fields.String(required=True)


ACCEPTED = {"message": "If this address can receive the newsletter, a confirmation email "
                       "is on its way. Follow its link to start receiving it."}


def make_blueprints() -> list[Blueprint]:
    """Fresh newsletter blueprints for one app."""
    public = Blueprint("newsletter_api", __name__, url_prefix="/newsletter",
                       description="Sign up for the newsletter (double opt-in).")
    staff = Blueprint("staff_newsletter", __name__, url_prefix="/staff/newsletter",
                      description="The newsletter's confirmed subscribers, for admins.")

    @public.route("/subscriptions")
    class Subscriptions(MethodView):
        @limiter.shared_limit(NEWSLETTER_RATE_LIMIT, RATE_LIMIT_SCOPE, methods=["POST"])
        @public.arguments(SubscriptionCreateSchema)
        @public.response(202, SubscriptionAcceptedSchema)
        def post(self, values):
            """Ask for the newsletter: a confirmation email goes to the address.

            Answers 202 alike for new, pending, confirmed and unsubscribed addresses (a
            pending address gets the confirmation again at most every 10 minutes, a
            confirmed one nothing), so the answer never tells whether an address is known.
            """
            with service_errors():
                source = newsletter.checked_source(db.session, values["source"])
                newsletter.subscribe(db.session, email=values["email"], source=source,
                                     mailing=mailing())
            return ACCEPTED

    @staff.route("/subscribers.csv")
    class SubscribersCsv(MethodView):
        @require_token("admin")
        @staff.response(200, description="CSV: `email,source,confirmed_at`, one row per "
                        "confirmed address; a cell starting with `=`, `+`, `-` or `@` "
                        "starts with `'`, so spreadsheets never run it.",
                        content_type="text/csv")
        @staff.doc(security=SECURITY, description="Role: admin (editors and moderators get "
                                                  "403).")
        def get(self):
            """Download the confirmed subscribers as CSV (admin)."""
            return csv_response(newsletter.confirmed_csv(db.session))

    return [public, staff]


def csv_response(body: str) -> Response:
    """The CSV as a download, never kept by a cache."""
    return current_app.response_class(
        body, mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{CSV_FILENAME}"',
                 "Cache-Control": "private, no-store"})
