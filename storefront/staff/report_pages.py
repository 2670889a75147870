"""Staff console: the attribution report as a table, a bar chart and a CSV file (admin)."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, render_template, request

from ..attribution import services
from ..attribution.api import resolve_range
from ..extensions import db
from .moderation_pages import role_required

BAR_HEIGHT = 28
CHART_WIDTH = 640
LABEL_WIDTH = 260


def _range():
    def parse(name):
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None
    since, until = resolve_range(parse("since"), parse("until"))
    return (until, since) if since > until else (since, until)


def chart(rows: list[services.SourceRow]) -> dict:
    """Bars of revenue per source, sized in the server so no script is needed."""
    top = max((r.revenue.amount for r in rows), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 90
    bars = [{"y": i * BAR_HEIGHT, "label": r.source, "value": r.revenue.formatted,
             "width": max(2, round(room * r.revenue.amount / top)) if r.revenue.amount else 0}
            for i, r in enumerate(rows)]
    return {"bars": bars, "width": CHART_WIDTH, "label_width": LABEL_WIDTH,
            "height": max(BAR_HEIGHT, BAR_HEIGHT * len(bars))}


def register(bp) -> None:
    """Add the report pages to the staff console blueprint."""

    @bp.route("/reports/attribution")
    @role_required("admin")
    def attribution_report():
        """Which articles, exercises and campaigns sold what, over a date range: last
        touch, first touch and assisted."""
        since, until = _range()
        rows = services.report(db.session, since=since, until=until)
        return render_template("staff/attribution.html", rows=rows, since=since, until=until,
                               chart=chart(rows))

    @bp.route("/reports/attribution.csv")
    @role_required("admin")
    def attribution_csv():
        """The same report as a CSV file."""
        since, until = _range()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["source", "views", "add_to_carts", "orders", "units",
                         "revenue_minor_units", "currency", "title", "first_touch_orders",
                         "first_touch_revenue_minor_units", "assisted_orders"])
        for r in services.report(db.session, since=since, until=until):
            writer.writerow([r.source, r.views, r.add_to_carts, r.orders, r.units,
                             r.revenue.amount, r.revenue.currency, r.title, r.first_orders,
                             r.first_revenue.amount if r.first_revenue else 0,
                             r.assisted_orders])
        name = f"attribution-{since.isoformat()}-{until.isoformat()}.csv"
        return Response(out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
