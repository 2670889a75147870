"""Staff console (admin): how many addresses are in each status, and the CSV of the
confirmed ones. Addresses appear nowhere else."""

from __future__ import annotations

from flask import Blueprint, render_template

from storefront.plugin_api import db, end_idle_console_session, role_required

from . import newsletter
from .newsletter_api import csv_response


def make_blueprint() -> Blueprint:
    """A fresh blueprint of the console's newsletter page for one app."""
    bp = Blueprint("newsletter_console", __name__, url_prefix="/staff",
                   template_folder="templates")
    bp.before_request(end_idle_console_session)

    @bp.route("/newsletter")
    @role_required("admin")
    def subscribers():
        """Counts per status and the download link."""
        return render_template("content/staff/newsletter.html",
                               counts=newsletter.status_counts(db.session))

    @bp.route("/newsletter/subscribers.csv")
    @role_required("admin")
    def download():
        """The confirmed addresses as CSV."""
        return csv_response(newsletter.confirmed_csv(db.session))

    return bp
