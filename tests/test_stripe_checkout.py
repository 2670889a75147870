"""Checkout through Stripe: the real SDK over HTTP against the fake, signed webhooks."""

import threading

import pytest
from sqlalchemy import func, select

from plugins import stripe_payments
from storefront.demo import seed_demo
from storefront.extensions import db
from storefront.orders.models import Order, OutboxMessage, PaymentEventRecord

from .checkout_helpers import available, cart_with, checkout, deliver, order, session_id
from .fakestripe import FakeStripe


@pytest.fixture
def shop(stripe_app):
    """A client of the Stripe-backed shop with the demo catalogue."""
    with stripe_app.app_context():
        seed_demo(db.session, stripe_app.extensions["storefront"].plugins)
    return stripe_app.test_client()


@pytest.fixture
def fast_failures(monkeypatch):
    """No retries and short timeouts, so failure tests stay quick."""
    monkeypatch.setattr(stripe_payments, "MAX_NETWORK_RETRIES", 0)
    monkeypatch.setattr(stripe_payments, "READ_TIMEOUT", 0.5)


def place(shop, *lines):
    response = checkout(shop, cart_with(shop, *lines), "runner@example.com")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_checkout_opens_a_stripe_session_for_the_order(shop, fake_stripe):
    placed = place(shop, ("BB-LIGHT", 2), ("SB-65", 1))
    assert placed["payment_provider"] == "stripe"
    session = fake_stripe.sessions[session_id(fake_stripe, placed)]
    assert placed["checkout_url"] == session["url"]
    assert session["amount_total"] == 2 * 1999 + 2999 and session["currency"] == "usd"
    assert session["metadata"]["order_number"] == placed["order_number"]
    assert session["customer_email"] == "runner@example.com"
    assert "{CHECKOUT_SESSION_ID}" in session["success_url"]
    assert "/checkout/cancel/" in session["cancel_url"]
    method, path, params, headers = fake_stripe.requests[-1]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert headers["idempotency-key"] == f"checkout-{placed['order_number']}"
    assert order(shop, placed)["status"] == "pending_payment"


def test_completed_and_paid_pays_once_even_when_repeated(shop, fake_stripe):
    placed = place(shop, ("BB-MEDIUM", 1))
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    event = fake_stripe.session_event("checkout.session.completed", sid)
    first = deliver(shop, event)
    assert first.status_code == 200 and first.get_json()["outcome"] == "applied"
    again = deliver(shop, event)
    assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
    assert order(shop, placed)["status"] == "paid"
    with shop.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_concurrent_duplicate_deliveries_apply_once(shop, fake_stripe, database_url):
    placed = place(shop, ("BB-MEDIUM", 1))
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    payload, headers = FakeStripe.signed(
        fake_stripe.session_event("checkout.session.completed", sid))
    deliveries = 20 if database_url.startswith("postgres") else 8
    outcomes, barrier = [], threading.Barrier(deliveries)

    def post():
        client = shop.application.test_client()
        barrier.wait()
        response = client.post("/api/v1/webhooks/stripe", data=payload, headers=headers)
        outcomes.append((response.status_code, response.get_json()["outcome"]))

    threads = [threading.Thread(target=post) for _ in range(deliveries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [(200, "applied")] + [(200, "duplicate")] * (deliveries - 1)
    with shop.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaymentEventRecord)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_late_expiry_after_payment_changes_nothing(shop, fake_stripe):
    placed = place(shop, ("BB-HEAVY", 2))
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    deliver(shop, fake_stripe.session_event("checkout.session.completed", sid))
    late = deliver(shop, fake_stripe.event("checkout.session.expired",
                                           {**fake_stripe.sessions[sid], "status": "expired"}))
    assert late.status_code == 200 and late.get_json()["outcome"] == "refused"
    assert order(shop, placed)["status"] == "paid"
    assert available(shop, index=2) == 38  # the sold units stay sold


def test_unpaid_completion_waits_for_the_async_result(shop, fake_stripe):
    placed = place(shop, ("BB-LIGHT", 1))
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid, payment_status="unpaid")
    ignored = deliver(shop, fake_stripe.session_event("checkout.session.completed", sid))
    assert ignored.get_json()["outcome"] == "ignored"
    assert order(shop, placed)["status"] == "pending_payment"
    fake_stripe.settle(sid, succeeded=True)
    paid = deliver(shop, fake_stripe.session_event("checkout.session.async_payment_succeeded",
                                                   sid))
    assert paid.get_json()["outcome"] == "applied"
    assert order(shop, placed)["status"] == "paid"


@pytest.mark.parametrize("event_type", ["checkout.session.async_payment_failed",
                                        "checkout.session.expired"])
def test_failure_and_expiry_cancel_and_release_stock(shop, fake_stripe, event_type):
    placed = place(shop, ("BB-HEAVY", 4))
    assert available(shop, index=2) == 36
    sid = session_id(fake_stripe, placed)
    if event_type.endswith("expired"):
        fake_stripe.expire(sid)
    else:
        fake_stripe.complete(sid, payment_status="unpaid")
        fake_stripe.settle(sid, succeeded=False)
    assert deliver(shop, fake_stripe.session_event(event_type, sid)).status_code == 200
    assert order(shop, placed)["status"] == "cancelled"
    assert available(shop, index=2) == 40
    deliver(shop, fake_stripe.session_event(event_type, sid, event_id="evt_again"))
    assert available(shop, index=2) == 40  # released once only


def test_full_refund_refunds_and_partial_refund_does_not(shop, fake_stripe):
    placed = place(shop, ("BB-LIGHT", 2))
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    deliver(shop, fake_stripe.session_event("checkout.session.completed", sid))
    charged = order(shop, placed)["total"]["amount"]  # the bands and their shipping
    fake_stripe.refund(sid, amount=1999)
    partial = deliver(shop, fake_stripe.charge_refunded_event(sid))
    assert partial.get_json()["outcome"] == "ignored"
    assert order(shop, placed)["status"] == "paid"
    fake_stripe.refund(sid, amount=charged - 1999)
    full = deliver(shop, fake_stripe.charge_refunded_event(sid))
    assert full.get_json()["outcome"] == "applied"
    assert order(shop, placed)["status"] == "refunded"


def test_refund_finds_the_order_by_its_payment_without_metadata(shop, fake_stripe):
    placed = place(shop, ("BB-LIGHT", 1))
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    deliver(shop, fake_stripe.session_event("checkout.session.completed", sid))
    fake_stripe.refund(sid)
    event = fake_stripe.charge_refunded_event(sid)
    event["data"]["object"]["metadata"] = {}
    assert deliver(shop, event).get_json()["outcome"] == "applied"
    assert order(shop, placed)["status"] == "refunded"


def test_bad_signatures_are_400_and_change_nothing(shop, fake_stripe):
    placed = place(shop, ("BB-LIGHT", 1))
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    event = fake_stripe.session_event("checkout.session.completed", sid)
    payload, headers = FakeStripe.signed(event)
    tampered = payload.replace(b'"paid"', b'"paid" ', 1)
    stale_payload, stale_headers = FakeStripe.signed(event, timestamp=1_600_000_000)
    wrong_payload, wrong_headers = FakeStripe.signed(event, "whsec_someone_else")
    for body, head in ((tampered, headers), (stale_payload, stale_headers),
                       (wrong_payload, wrong_headers), (payload, {})):
        response = shop.post("/api/v1/webhooks/stripe", data=body, headers=head)
        assert response.status_code == 400 and response.is_json
    assert order(shop, placed)["status"] == "pending_payment"
    with shop.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaymentEventRecord)) == 0


def test_unknown_event_types_are_acknowledged(shop, fake_stripe):
    response = deliver(shop, fake_stripe.event("customer.created", {"id": "cus_1",
                                                                    "object": "customer"}))
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    assert shop.post("/api/v1/webhooks/paypal", data=b"{}").status_code == 404


def test_stripe_down_at_checkout_is_502_and_leaves_nothing(shop, fake_stripe, fast_failures):
    token = cart_with(shop, ("BB-HEAVY", 3))
    fake_stripe.fail_next(status=500, count=5)
    response = checkout(shop, token)
    assert response.status_code == 502 and response.is_json
    assert "Nothing was charged" in response.get_json()["message"]
    assert available(shop, index=2) == 40
    assert shop.get(f"/api/v1/carts/{token}").get_json()["item_count"] == 3
    with shop.application.app_context():
        assert db.session.scalar(select(Order.status)) == "cancelled"


def test_stripe_timing_out_at_checkout_is_502(shop, fake_stripe, fast_failures):
    fake_stripe.delay_next(2.0)
    response = checkout(shop, cart_with(shop, ("BB-LIGHT", 1)))
    assert response.status_code == 502
    assert available(shop) == 120


def test_success_page_confirms_before_the_webhook(shop, fake_stripe):
    placed = place(shop, ("BB-LIGHT", 1))
    sid = session_id(fake_stripe, placed)
    success_url = fake_stripe.sessions[sid]["success_url"].replace("{CHECKOUT_SESSION_ID}", sid)
    waiting = shop.get(success_url).get_data(as_text=True)
    assert "We are confirming your payment" in waiting
    fake_stripe.complete(sid)
    page = shop.get(success_url).get_data(as_text=True)
    assert "your order is paid" in page
    assert order(shop, placed)["status"] == "paid"
    # The webhook arriving afterwards finds the work done.
    late = deliver(shop, fake_stripe.session_event("checkout.session.completed", sid))
    assert late.get_json()["outcome"] == "already"


def test_cancel_page_expires_the_session_and_keeps_the_cart(shop, fake_stripe):
    token = cart_with(shop, ("BB-LIGHT", 2))
    placed = checkout(shop, token).get_json()
    sid = session_id(fake_stripe, placed)
    cancel_url = fake_stripe.sessions[sid]["cancel_url"]
    response = shop.get(cancel_url)
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    assert fake_stripe.sessions[sid]["status"] == "expired"
    assert order(shop, placed)["status"] == "cancelled"
    assert shop.get(f"/api/v1/carts/{token}").get_json()["item_count"] == 2


def test_reconciliation_settles_lost_webhooks(shop, fake_stripe):
    paid = place(shop, ("BB-LIGHT", 1))
    expired = place(shop, ("BB-MEDIUM", 1))
    still_open = place(shop, ("BB-HEAVY", 1))
    fake_stripe.complete(session_id(fake_stripe, paid))
    fake_stripe.expire(session_id(fake_stripe, expired))
    result = shop.application.test_cli_runner().invoke(
        args=["reconcile-payments", "--older-than", "0"])
    assert result.exit_code == 0, result.output
    assert "paid: 1" in result.output and "cancelled: 1" in result.output
    assert order(shop, paid)["status"] == "paid"
    assert order(shop, expired)["status"] == "cancelled"
    assert order(shop, still_open)["status"] == "pending_payment"  # still within its window
    assert available(shop, index=1) == 80


def test_reconciliation_gives_up_on_sessions_past_their_window(shop, fake_stripe):
    from datetime import timedelta

    from storefront.timeutil import utcnow
    placed = place(shop, ("BB-HEAVY", 2))
    with shop.application.app_context():
        db.session.query(Order).update({"created_at": utcnow() - timedelta(hours=2)})
        db.session.commit()
    result = shop.application.test_cli_runner().invoke(args=["reconcile-payments"])
    assert result.exit_code == 0, result.output
    assert fake_stripe.sessions[session_id(fake_stripe, placed)]["status"] == "expired"
    assert order(shop, placed)["status"] == "cancelled"
    assert available(shop, index=2) == 40
