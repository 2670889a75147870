"""From a content link to a paid order: the attribution report."""

import csv
import io
import time

import pytest
from sqlalchemy import func, select

from storefront.attribution import services
from storefront.attribution.models import SourceMetric
from storefront.demo import seed_demo
from storefront.extensions import db

from .checkout_helpers import cart_with, checkout, test_page_action
from .fakestripe import FakeStripe
from .settings_helpers import change_settings

ARTICLE = "article:are-hamstrings-your-missing-link"


def report(client, headers, query=""):
    response = client.get(f"/api/v1/staff/reports/attribution{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return {row["source"]: row for row in response.get_json()["items"]}


def test_a_sale_is_credited_to_the_article_through_stripe(stripe_app, fake_stripe):
    with stripe_app.app_context():
        seed_demo(db.session, stripe_app.extensions["storefront"].plugins)
        from storefront.staff.services import create_staff, create_token
        create_staff(db.session, "boss@example.com", "admin", "a long passphrase")
        headers = {"Authorization": f"Bearer {create_token(db.session, 'boss@example.com')}"}
    client = stripe_app.test_client()
    article = client.get("/articles/are-hamstrings-your-missing-link").get_data(as_text=True)
    link = "/products/better-band?source=" + ARTICLE
    assert link in article
    assert f'value="{ARTICLE}"' in client.get(link).get_data(as_text=True)
    placed = checkout(client, cart_with(client, ("BB-HEAVY", 2), source=ARTICLE)).get_json()
    sid = next(iter(fake_stripe.sessions))
    fake_stripe.complete(sid)
    payload, signed = FakeStripe.signed(
        fake_stripe.session_event("checkout.session.completed", sid))
    assert client.post("/api/v1/webhooks/stripe", data=payload,
                       headers=signed).get_json()["outcome"] == "applied"
    row = report(client, headers)[ARTICLE]
    money = {"amount": 4998, "currency": "usd", "formatted": "$49.98"}
    assert row == {"source": ARTICLE, "title": "Are Hamstrings Your Missing Link?",
                   "views": 1, "add_to_carts": 1, "orders": 1, "units": 2, "revenue": money,
                   "first_touch": {"orders": 1, "revenue": money}, "assisted_orders": 0}
    assert placed["order_number"]


def test_only_paid_orders_count_and_refunds_do_not(client, staff, demo):
    headers = staff.headers("admin")
    paid = checkout(client, cart_with(client, ("BB-LIGHT", 1), source="exercise:squat"))
    test_page_action(client, paid.get_json()["checkout_url"], 0)
    declined = checkout(client, cart_with(client, ("BB-LIGHT", 3), source="exercise:squat"))
    test_page_action(client, declined.get_json()["checkout_url"], 1)
    checkout(client, cart_with(client, ("BB-LIGHT", 5), source="exercise:squat"))  # pending
    direct = checkout(client, cart_with(client, ("SB-65", 1)))
    test_page_action(client, direct.get_json()["checkout_url"], 0)
    rows = report(client, headers)
    squat = rows["exercise:squat"]
    assert (squat["add_to_carts"], squat["orders"], squat["units"]) == (3, 1, 1)
    assert squat["revenue"]["amount"] == 1999
    assert rows["direct"]["revenue"]["amount"] == 2999
    assert list(rows) == ["direct", "exercise:squat"]  # most revenue first


def test_views_are_counted_in_batches(app, client, staff, session, demo, monkeypatch):
    change_settings(app, view_batch=50)
    monkeypatch.setattr(services, "FLUSH_SECONDS", 60.0)  # only the batch or a report writes
    for _ in range(3):
        client.get("/exercises/glute-bridge")
    assert session.scalar(select(func.count()).select_from(SourceMetric).where(
        SourceMetric.metric == "view")) == 0  # nothing written per view
    assert report(client, staff.headers("admin"))["exercise:glute-bridge"]["views"] == 3


def test_a_full_batch_is_written_by_the_worker_not_the_request(app, client, session, demo):
    change_settings(app, view_batch=3)
    for _ in range(3):
        client.get("/exercises/squat")
    views = 0
    for _ in range(100):  # the worker's writer thread, not a report, writes it
        session.expire_all()
        views = session.scalar(select(func.sum(SourceMetric.count)).where(
            SourceMetric.source == "exercise:squat", SourceMetric.metric == "view"))
        if views == 3:
            break
        time.sleep(0.05)
    assert views == 3


def test_report_is_for_admins_and_checks_its_range(client, staff, demo):
    url = "/api/v1/staff/reports/attribution"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=staff.headers("moderator")).status_code == 403
    admin = staff.headers("admin")
    for query in ("?since=2026-02-01&until=2026-01-01", "?since=yesterday",
                  "?until=2026-13-45", "?since=1900-01-01&until=2026-01-01"):
        assert client.get(url + query, headers=admin).status_code == 422, query
    assert client.get(url + "?since=2020-01-01&until=2020-01-31",
                      headers=admin).get_json()["items"] == []


@pytest.fixture
def admin_console(client, staff):
    user = staff.create("admin")
    staff.login(user.email)
    return client


def test_console_report_table_chart_and_csv(admin_console, demo):
    client = admin_console
    placed = checkout(client, cart_with(client, ("BB-MEDIUM", 2), source=ARTICLE)).get_json()
    test_page_action(client, placed["checkout_url"], 0)
    page = client.get("/staff/reports/attribution").get_data(as_text=True)
    assert ('<a href="/articles/are-hamstrings-your-missing-link">Are Hamstrings Your '
            f'Missing Link?</a> <span class="muted">{ARTICLE}</span></th>') in page
    assert "$43.98" in page and 'data-label="Orders (first touch)">1<' in page
    assert '<svg role="img"' in page and "<rect" in page
    response = client.get("/staff/reports/attribution.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [{"source": ARTICLE, "views": "0", "add_to_carts": "1", "orders": "1",
                     "units": "2", "revenue_minor_units": "4398", "currency": "usd",
                     "title": "Are Hamstrings Your Missing Link?", "first_touch_orders": "1",
                     "first_touch_revenue_minor_units": "4398", "assisted_orders": "0"}]


def test_console_report_is_closed_to_moderators(client, staff):
    user = staff.create("moderator")
    staff.login(user.email)
    assert client.get("/staff/reports/attribution").status_code == 403
    assert client.get("/staff/reports/attribution.csv").status_code == 403
