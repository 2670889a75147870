"""The order desk API: staff find orders, read one in full, and fulfil, refund or cancel
it; every action is in the audit log, and bad input changes nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from plugins.hookspecs import hookimpl
from plugins.types import CancelResult, PaymentProviderError
from storefront.extensions import db
from storefront.orders.models import Order, OrderRefund, OutboxMessage, StaffAction
from storefront.staff.services import create_token

from .checkout_helpers import ADDRESS, available, cart_with, checkout, test_page_action
from .factories import make_order, make_product
from .moderation_helpers import ARTICLE

API = "/api/v1/staff/orders"


@pytest.fixture
def admin(staff):
    """An admin's email and the headers of their token."""
    user = staff.create("admin", email="desk@example.com")
    return {"email": user.email,
            "headers": {"Authorization": f"Bearer {create_token(staff.session, user.email)}"}}


def paid_order(client, sku="BB-LIGHT", quantity=1, email="shopper@example.com") -> dict:
    """An order placed and paid through the test payment page; the checkout's answer."""
    placed = checkout(client, cart_with(client, (sku, quantity), source=f"article:{ARTICLE}"),
                      email).get_json()
    test_page_action(client, placed["checkout_url"], 0)
    return placed


def desk(client, admin, number) -> dict:
    response = client.get(f"{API}/{number}", headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def audit(session, number) -> list[tuple[str, str]]:
    session.expire_all()
    return [(a.actor, a.action) for a in session.scalars(
        select(StaffAction).where(StaffAction.subject == number).order_by(StaffAction.id))]


class ProviderPlugin:
    """A payment provider that cannot be reached, or says a payment came in meanwhile."""

    def __init__(self, *, unreachable=False, paid=False):
        self.unreachable, self.paid = unreachable, paid

    @hookimpl
    def refund_payment(self, provider, payment_intent, session_id, amount, currency, key,
                       settings):
        if self.unreachable:
            raise PaymentProviderError("card network unavailable")

    @hookimpl
    def cancel_payment(self, provider, payment_intent, session_id, settings):
        if self.unreachable:
            raise PaymentProviderError("card network unavailable")
        if self.paid:
            return CancelResult(provider=provider, cancelled=False, paid=True)


@pytest.fixture
def provider_says(app):
    """Put a provider plugin in front of the test provider for the test's duration."""
    manager = app.extensions["storefront"].plugins
    registered = []

    def install(**behaviour):
        manager.register(ProviderPlugin(**behaviour), name="desk-provider")
        registered.append("desk-provider")

    yield install
    for name in registered:
        manager.unregister(name=name)


# --- Who may use the desk ------------------------------------------------------------------

def test_every_desk_route_needs_an_admin_token(client, staff, session):
    order = make_order(session, "paid")
    routes = [("get", API), ("get", f"{API}/{order.number}"),
              ("post", f"{API}/{order.number}/fulfil"),
              ("post", f"{API}/{order.number}/refunds"),
              ("post", f"{API}/{order.number}/cancel")]
    moderator = staff.headers("moderator")
    for method, path in routes:
        kwargs = {"json": {"amount": 100}} if path.endswith("refunds") else {}
        anonymous = getattr(client, method)(path, **kwargs)
        assert anonymous.status_code == 401 and anonymous.get_json()["reason"] == "unauthorized"
        refused = getattr(client, method)(path, headers=moderator, **kwargs)
        assert refused.status_code == 403 and refused.get_json()["reason"] == "forbidden"
    session.expire_all()
    assert order.status == "paid" and order.refunded_amount == 0
    assert audit(session, order.number) == []


def test_unknown_orders_are_404(client, admin):
    for method, path, body in [("get", f"{API}/BB-NOPE-NOPE", None),
                               ("post", f"{API}/BB-NOPE-NOPE/fulfil", {}),
                               ("post", f"{API}/BB-NOPE-NOPE/refunds", {"amount": 100}),
                               ("post", f"{API}/BB-NOPE-NOPE/cancel", None)]:
        response = getattr(client, method)(path, headers=admin["headers"], json=body)
        assert response.status_code == 404 and response.get_json()["reason"] == "order_not_found"


# --- Finding orders ------------------------------------------------------------------------

def _orders(session, specs) -> list[Order]:
    product = make_product(session, stock=100)
    made = []
    for status, email, created in specs:
        order = make_order(session, status, product=product)
        order.email, order.created_at = email, created
        made.append(order)
    session.commit()
    return made


def test_the_list_filters_by_status_text_and_days(client, admin, session):
    early, middle, late = (datetime(2026, 3, d, 12, tzinfo=UTC) for d in (1, 10, 20))
    ada, ben, cy = _orders(session, [("paid", "ada@example.com", early),
                                     ("pending_payment", "ben@example.com", middle),
                                     ("paid", "cy@shop.example", late)])

    def numbers(query=""):
        response = client.get(f"{API}?{query}", headers=admin["headers"])
        assert response.status_code == 200, response.get_json()
        return [item["number"] for item in response.get_json()["items"]]

    assert numbers() == [cy.number, ben.number, ada.number]  # newest first
    assert numbers("status=paid") == [cy.number, ada.number]
    assert numbers("q=BEN@EXAMPLE") == [ben.number]
    assert numbers("q=example.com") == [ben.number, ada.number]
    assert numbers(f"q={ada.number[-4:].lower()}") == [ada.number]
    assert numbers("q=100%25") == []  # a LIKE wildcard is a character, not a wildcard
    assert numbers("since=2026-03-10") == [cy.number, ben.number]
    assert numbers("since=2026-03-01&until=2026-03-10") == [ben.number, ada.number]
    assert numbers("status=paid&since=2026-03-02&until=2026-03-20") == [cy.number]

    item = client.get(API, headers=admin["headers"]).get_json()["items"][0]
    assert set(item) == {"number", "status", "email", "total", "refunded_total",
                         "created_at", "flag"}
    assert item["total"]["formatted"] == "$19.99" and item["flag"] is None


def test_the_list_pages_with_a_cursor(client, admin, session):
    made = _orders(session, [("paid", f"p{n}@example.com", datetime(2026, 1, n + 1, tzinfo=UTC))
                             for n in range(5)])
    seen, cursor = [], None
    for _ in range(3):
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"{API}?{query}", headers=admin["headers"]).get_json()
        seen += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert cursor is None
    assert seen == [o.number for o in reversed(made)]


@pytest.mark.parametrize("query, field", [
    ("status=shipped", "status"), ("limit=0", "limit"), ("limit=101", "limit"),
    ("since=yesterday", "since"), ("since=2026-03-02&until=2026-03-01", "since"),
    ("cursor=not-ours", "cursor"),
])
def test_bad_list_filters_are_422(client, admin, query, field):
    response = client.get(f"{API}?{query}", headers=admin["headers"])
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]


# --- One order -----------------------------------------------------------------------------

def test_an_order_shows_address_lines_events_and_emails(client, admin, demo):
    placed = paid_order(client)
    order = desk(client, admin, placed["order_number"])
    assert order["status"] == "paid" and order["email"] == "shopper@example.com"
    assert order["shipping_address"]["line1"] == ADDRESS["line1"]
    assert order["shipping_address"]["city"] == ADDRESS["city"]
    line = order["lines"][0]
    assert line["sku"] == "BB-LIGHT" and line["source"] == f"article:{ARTICLE}"
    assert order["total"]["amount"] == (order["subtotal"]["amount"]
                                         + (order["shipping"] or {"amount": {"amount": 0}})
                                         ["amount"]["amount"]
                                         + (0 if order["tax"]["inclusive"]
                                            else order["tax"]["amount"])
                                         - (order["discount"] or {"amount": {"amount": 0}})
                                         ["amount"]["amount"])
    assert order["refunded_total"]["amount"] == 0
    assert order["refundable"]["amount"] == order["total"]["amount"]
    assert [(e["kind"], e["outcome"]) for e in order["events"]] == [("paid", "applied")]
    assert [m["topic"] for m in order["messages"]] == ["order_paid"]
    assert order["messages"][0]["recipient"] == "shopper@example.com"
    assert order["messages"][0]["status"] in ("pending", "sent")
    assert order["fulfilments"] == [] and order["refunds"] == [] and order["actions"] == []


# --- Fulfil --------------------------------------------------------------------------------

def test_fulfil_records_the_parcel_and_audits(client, admin, session, demo):
    number = paid_order(client)["order_number"]
    parcel = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784",
              "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784"}
    response = client.post(f"{API}/{number}/fulfil", json=parcel, headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    order = response.get_json()
    assert order["status"] == "fulfilled" and order["fulfilled_at"]
    assert [{k: f[k] for k in parcel} for f in order["fulfilments"]] == [parcel]
    assert audit(session, number) == [("desk@example.com", "fulfil")]
    again = client.post(f"{API}/{number}/fulfil", json=parcel, headers=admin["headers"])
    assert again.status_code == 409 and again.get_json()["status"] == "fulfilled"
    assert len(desk(client, admin, number)["fulfilments"]) == 1


def test_only_paid_orders_are_fulfilled(client, admin, session):
    for status in ("pending_payment", "cancelled", "refunded"):
        order = make_order(session, status)
        response = client.post(f"{API}/{order.number}/fulfil", json={},
                               headers=admin["headers"])
        assert response.status_code == 409
        assert response.get_json()["reason"] == "order_not_paid"
        assert response.get_json()["status"] == status
        assert audit(session, order.number) == []


@pytest.mark.parametrize("body, field", [
    ({"tracking_url": "javascript:alert(1)"}, "tracking_url"),
    ({"tracking_url": "ftp://example.com/parcel"}, "tracking_url"),
    ({"tracking_url": "example.com/parcel"}, "tracking_url"),
    ({"carrier": "x" * 81}, "carrier"),
    ({"tracking_number": 12345}, "tracking_number"),
    ({"colour": "red"}, "colour"),
])
def test_bad_tracking_is_422_and_changes_nothing(client, admin, session, body, field):
    order = make_order(session, "paid")
    response = client.post(f"{API}/{order.number}/fulfil", json=body, headers=admin["headers"])
    assert response.status_code == 422 and field in response.get_json()["errors"]["json"]
    session.expire_all()
    assert order.status == "paid" and order.fulfilments == []


# --- Refunds -------------------------------------------------------------------------------

def refund(client, admin, number, amount):
    return client.post(f"{API}/{number}/refunds", json={"amount": amount},
                       headers=admin["headers"])


def test_a_full_refund_refunds_the_order(client, admin, session, demo):
    number = paid_order(client)["order_number"]
    total = desk(client, admin, number)["total"]["amount"]
    response = refund(client, admin, number, total)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["amount"]["amount"] == total and made["status"] == "succeeded"
    assert made["order_status"] == "refunded" and made["refundable"]["amount"] == 0
    order = desk(client, admin, number)
    assert order["status"] == "refunded" and order["refunded_total"]["amount"] == total
    assert [(r["id"], r["status"]) for r in order["refunds"]] == [(made["id"], "succeeded")]
    assert audit(session, number) == [("desk@example.com", "refund")]
    again = refund(client, admin, number, 1)
    assert again.status_code == 409 and again.get_json()["reason"] == "order_not_paid"


def test_a_partial_refund_leaves_the_order_paid(client, admin, session):
    order = make_order(session, "paid")  # $19.99
    response = refund(client, admin, order.number, 500)
    assert response.status_code == 201
    assert response.get_json()["order_status"] == "paid"
    shown = desk(client, admin, order.number)
    assert shown["status"] == "paid"
    assert shown["refunded_total"]["formatted"] == "$5.00"
    assert shown["refundable"]["formatted"] == "$14.99"
    listed = client.get(f"{API}?q={order.number}", headers=admin["headers"]).get_json()
    assert listed["items"][0]["refunded_total"]["amount"] == 500


def test_two_partial_refunds_make_a_full_one(client, admin, session):
    order = make_order(session, "fulfilled")
    first = refund(client, admin, order.number, 1000)
    assert first.status_code == 201 and first.get_json()["order_status"] == "fulfilled"
    over = refund(client, admin, order.number, 1000)  # 999 remain
    assert over.status_code == 422
    assert "amount" in over.get_json()["errors"]["json"]
    assert over.get_json()["remaining"] == 999
    second = refund(client, admin, order.number, 999)
    assert second.status_code == 201 and second.get_json()["order_status"] == "refunded"
    shown = desk(client, admin, order.number)
    assert shown["refunded_total"]["amount"] == 1999 and shown["refunded_at"]
    keys = session.scalars(select(OrderRefund.key).order_by(OrderRefund.id)).all()
    assert keys == [f"refund-{order.number}-1", f"refund-{order.number}-2"]
    assert audit(session, order.number) == [("desk@example.com", "refund")] * 2


@pytest.mark.parametrize("body", [
    {}, {"amount": 0}, {"amount": -5}, {"amount": "500"}, {"amount": 5.5},
    {"amount": True}, {"amount": None}, {"amount": 10**30}, {"amount": 2000},
    {"amount": 100, "note": "x"},
], ids=["missing", "zero", "negative", "string", "fraction", "boolean", "null", "huge",
        "above-the-total", "unknown-field"])
def test_bad_refund_amounts_are_422_and_change_nothing(client, admin, session, body):
    order = make_order(session, "paid")
    response = client.post(f"{API}/{order.number}/refunds", json=body,
                           headers=admin["headers"])
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]
    assert ("note" if "note" in body else "amount") in errors
    session.expire_all()
    assert order.refunded_amount == 0 and order.status == "paid" and order.refunds == []
    assert audit(session, order.number) == []


def test_malformed_refund_json_is_400(client, admin, session):
    order = make_order(session, "paid")
    response = client.post(f"{API}/{order.number}/refunds", data="{amount",
                           content_type="application/json", headers=admin["headers"])
    assert response.status_code == 400


@pytest.mark.parametrize("status", ["pending_payment", "cancelled", "refunded"])
def test_only_paid_or_fulfilled_orders_are_refunded(client, admin, session, status):
    order = make_order(session, status)
    response = refund(client, admin, order.number, 100)
    assert response.status_code == 409 and response.get_json()["status"] == status
    session.expire_all()
    assert order.refunded_amount == 0 and order.refunds == []


def test_a_provider_failure_is_502_and_gives_the_amount_back(client, admin, session,
                                                             provider_says):
    order = make_order(session, "paid")
    provider_says(unreachable=True)
    response = refund(client, admin, order.number, 500)
    assert response.status_code == 502
    assert response.get_json()["reason"] == "payment_provider_unavailable"
    shown = desk(client, admin, order.number)
    assert shown["status"] == "paid" and shown["refunded_total"]["amount"] == 0
    assert shown["refundable"]["amount"] == 1999
    assert [r["status"] for r in shown["refunds"]] == ["failed"]
    assert [a["action"] for a in shown["actions"]] == ["refund", "refund_failed"]
    assert "card network unavailable" in shown["actions"][1]["detail"]


def test_concurrent_refunds_never_exceed_what_was_paid(app, admin, session, database_url):
    # Ten staff refunding $7 each of a $19.99 order at the same moment: two fit.
    asks = 10 if database_url.startswith("postgres") else 6
    order = make_order(session, "paid")
    number, headers = order.number, admin["headers"]
    barrier = threading.Barrier(asks)
    statuses: list[int] = []

    def ask():
        own = app.test_client()
        barrier.wait()
        response = own.post(f"{API}/{number}/refunds", json={"amount": 700}, headers=headers)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=ask) for _ in range(asks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] * 2 + [422] * (asks - 2)
    session.expire_all()
    refunds = session.scalars(select(OrderRefund).where(OrderRefund.order_id == order.id)).all()
    assert sum(r.amount for r in refunds if r.status != "failed") == 1400
    assert order.refunded_amount == 1400 <= order.total_amount
    assert len({r.key for r in refunds}) == 2


# --- Cancel --------------------------------------------------------------------------------

def test_cancelling_a_pending_order_puts_the_stock_back(client, admin, session, demo):
    before = available(client)
    placed = checkout(client, cart_with(client, ("BB-LIGHT", 3))).get_json()
    assert available(client) == before - 3
    response = client.post(f"{API}/{placed['order_number']}/cancel", headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled"
    assert response.get_json()["cancelled_at"]
    assert available(client) == before
    assert audit(session, placed["order_number"]) == [("desk@example.com", "cancel")]
    again = client.post(f"{API}/{placed['order_number']}/cancel", headers=admin["headers"])
    assert again.status_code == 409 and available(client) == before


def test_a_paid_order_is_not_cancelled(client, admin, session, demo):
    placed = paid_order(client)
    before = available(client)
    response = client.post(f"{API}/{placed['order_number']}/cancel", headers=admin["headers"])
    assert response.status_code == 409 and response.get_json()["status"] == "paid"
    assert available(client) == before
    assert desk(client, admin, placed["order_number"])["status"] == "paid"


def test_an_order_paid_meanwhile_is_not_cancelled(client, admin, session, provider_says):
    product = make_product(session, stock=4)
    order = make_order(session, product=product, quantity=1)
    provider_says(paid=True)
    response = client.post(f"{API}/{order.number}/cancel", headers=admin["headers"])
    assert response.status_code == 409 and response.get_json()["status"] == "paid"
    session.expire_all()
    assert order.status == "pending_payment" and product.variants[0].stock == 4
    assert audit(session, order.number) == []


def test_a_cancel_the_provider_cannot_hear_changes_nothing(client, admin, session,
                                                          provider_says):
    product = make_product(session, stock=4)
    order = make_order(session, product=product, quantity=1)
    provider_says(unreachable=True)
    response = client.post(f"{API}/{order.number}/cancel", headers=admin["headers"])
    assert response.status_code == 502
    assert response.get_json()["reason"] == "payment_provider_unavailable"
    session.expire_all()
    assert order.status == "pending_payment" and product.variants[0].stock == 4
    assert audit(session, order.number) == []


# --- What the notification plugins hear ----------------------------------------------------

class Recorder:
    """Writes an outbox row from each desk hook, as a notification plugin would, and keeps
    what it was told."""

    def __init__(self):
        self.heard: list[tuple[str, object]] = []

    def _write(self, topic, order, told):
        self.heard.append((topic, told))
        db.session.add(OutboxMessage(topic=f"recorded_{topic}", recipient=order.email,
                                     subject=topic, body="-",
                                     dedupe_key=f"recorded:{topic}:{order.number}:"
                                                f"{len(self.heard)}"))

    @hookimpl
    def order_fulfilled(self, order, fulfilment, shop):
        self._write("fulfilled", order, fulfilment)

    @hookimpl
    def order_refunded(self, order, refund, shop):
        self._write("refunded", order, refund)

    @hookimpl
    def order_cancelled(self, order, cause, shop):
        self._write("cancelled", order, cause)


def test_each_action_is_told_inside_its_transaction(app, client, admin, session):
    manager = app.extensions["storefront"].plugins
    recorder = Recorder()
    manager.register(recorder, name="recorder")
    try:
        paid, pending = make_order(session, "paid"), make_order(session)
        client.post(f"{API}/{paid.number}/fulfil", headers=admin["headers"],
                    json={"carrier": "DHL", "tracking_number": "JD0002"})
        refund(client, admin, paid.number, 999)
        refund(client, admin, paid.number, 1000)
        client.post(f"{API}/{pending.number}/cancel", headers=admin["headers"])
    finally:
        manager.unregister(name="recorder")
    topics = [topic for topic, _ in recorder.heard]
    assert topics == ["fulfilled", "refunded", "refunded", "cancelled"]
    parcel, first, second, reason = (told for _, told in recorder.heard)
    assert (parcel.carrier, parcel.tracking_number) == ("DHL", "JD0002")
    assert (first.amount, first.refunded_total, first.full) == (999, 999, False)
    assert (second.amount, second.refunded_total, second.full) == (1000, 1999, True)
    assert reason == "staff"
    # What the plugin wrote was committed with the change it tells of.
    session.expire_all()
    written = session.scalars(select(OutboxMessage.topic).where(
        OutboxMessage.topic.like("recorded_%")).order_by(OutboxMessage.id)).all()
    assert written == ["recorded_fulfilled", "recorded_refunded", "recorded_refunded",
                       "recorded_cancelled"]
