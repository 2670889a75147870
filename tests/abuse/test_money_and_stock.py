"""Promises about money and stock under abuse (issue 12, findings 1, 4, 5 and 14).

- Production never takes test payments by accident, and says so loudly when asked to.
- A provider's signed event never settles an order placed with another provider.
- A refund that overtakes its payment is kept and applied once the payment is.
- One cart, email or client holds at most CHECKOUT_MAX_UNITS unpaid units.
- Holds that ran out, and orders that never got a payment page, are released by the
  next checkout, without waiting for the reconciliation cron.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from plugins.hookspecs import hookimpl
from plugins.types import CheckoutRedirect
from storefront import ConfigError, create_app
from storefront.catalog.models import Variant
from storefront.demo import seed_demo
from storefront.extensions import db
from storefront.orders.models import Order, PaymentEventRecord
from storefront.timeutil import utcnow

from ..checkout_helpers import (
    cart_with,
    checkout,
    deliver,
    order,
    session_id,
    test_page_action,
)
from ..factories import make_product
from ..settings_helpers import change_settings

STOCK = 50


# --- helpers ---------------------------------------------------------------

def age_orders(app, minutes, *, number=None, without_page=False):
    """Pretend orders (all, or one) were placed `minutes` ago."""
    values = {"created_at": utcnow() - timedelta(minutes=minutes)}
    if without_page:
        values["payment_session_id"] = None
    with app.app_context():
        stmt = update(Order).values(**values)
        if number:
            stmt = stmt.where(Order.number == number)
        db.session.execute(stmt)
        db.session.commit()


def status_of(app, number):
    """An order's status, read from the database."""
    with app.app_context():
        return db.session.scalar(select(Order.status).where(Order.number == number))


def stock_of(app, sku):
    """Units of a variant in stock."""
    with app.app_context():
        return db.session.scalar(select(Variant.stock).where(Variant.sku == sku))


@pytest.fixture
def scarce(app, session):
    """A variant with 50 units, the most an attacker would like to hold."""
    return make_product(session, "scarce-band", stock=STOCK).variants[0].sku


@pytest.fixture
def shop(stripe_app):
    """A client of the Stripe-backed shop with the demo catalogue."""
    with stripe_app.app_context():
        seed_demo(db.session, stripe_app.extensions["storefront"].plugins)
    return stripe_app.test_client()


def place(client, *lines, email="runner@example.com", address="127.0.0.1"):
    """Check out a new cart holding `lines`; returns the API's answer."""
    token = cart_with(client, *lines)
    return client.post(f"/api/v1/carts/{token}/checkout", json={"email": email},
                       environ_base={"REMOTE_ADDR": address})


# --- finding 1: test payments in production ------------------------------------

def test_production_without_a_stripe_key_refuses_to_start_in_one_line(monkeypatch):
    for name in ("STRIPE_SECRET_KEY", "PAYMENT_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as refused:
        create_app({"STOREFRONT_ENV": "production", "SECRET_KEY": "x",
                    "PUBLIC_BASE_URL": "https://shop.example"})
    message = str(refused.value)
    assert "STRIPE_SECRET_KEY" in message and "\n" not in message


def test_test_payments_chosen_in_production_warn_once_at_start(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("STOREFRONT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    with caplog.at_level(logging.WARNING):
        app = create_app({"STOREFRONT_ENV": "production", "SECRET_KEY": "x",
                          "PUBLIC_BASE_URL": "https://shop.example", "PAYMENT_PROVIDER": "test",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/shop.db",
                          "STOREFRONT_LOAD_ENTRYPOINTS": False})
    with app.app_context():
        db.engine.dispose()
    warnings = [r.getMessage() for r in caplog.records if "PAYMENT_PROVIDER=test" in r.getMessage()]
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "no money moves" in warnings[0]


def test_every_test_payment_page_warns_in_production(app, client, scarce):
    quiet = place(client, (scarce, 1)).get_json()
    assert "takes no real payments" not in client.get(quiet["checkout_url"]).get_data(True)
    change_settings(app, env="production")
    loud = place(client, (scarce, 1), email="other@example.com").get_json()
    page = client.get(loud["checkout_url"]).get_data(as_text=True)
    assert 'role="alert"' in page and "takes no real payments" in page


def test_a_stripe_event_never_settles_an_order_placed_with_another_provider(shop, fake_stripe):
    app = shop.application
    change_settings(app, payment_provider="test")
    placed = place(shop, ("BB-LIGHT", 2)).get_json()
    change_settings(app, payment_provider="stripe")
    number = placed["order_number"]
    forged = {"id": "cs_forged", "object": "checkout.session", "client_reference_id": number,
              "metadata": {"order_number": number}, "status": "complete",
              "payment_status": "paid", "amount_total": 2 * 1999, "currency": "usd"}
    paid = deliver(shop, fake_stripe.event("checkout.session.completed", forged))
    assert paid.status_code == 200 and paid.get_json()["outcome"] == "refused"
    expired = deliver(shop, fake_stripe.event("checkout.session.expired",
                                              {**forged, "status": "expired"}))
    assert expired.get_json()["outcome"] == "refused"
    assert order(shop, placed)["status"] == "pending_payment"


# --- finding 4: a refund before its payment ----------------------------------

def test_a_refund_that_overtakes_its_payment_is_applied_after_it(shop, fake_stripe):
    placed = place(shop, ("BB-LIGHT", 1)).get_json()
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    fake_stripe.refund(sid)
    refund = fake_stripe.charge_refunded_event(sid)
    assert deliver(shop, refund).get_json()["outcome"] == "waiting"
    assert order(shop, placed)["status"] == "pending_payment"
    again = deliver(shop, refund)  # Stripe retries: still waiting, not a duplicate
    assert again.get_json()["outcome"] == "waiting"
    paid = deliver(shop, fake_stripe.session_event("checkout.session.completed", sid))
    assert paid.get_json()["outcome"] == "applied"
    assert order(shop, placed)["status"] == "refunded"
    assert deliver(shop, refund).get_json()["outcome"] == "duplicate"


def test_a_refund_naming_only_its_payment_waits_for_that_payment(shop, fake_stripe):
    placed = place(shop, ("BB-MEDIUM", 1)).get_json()
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    fake_stripe.refund(sid)
    refund = fake_stripe.charge_refunded_event(sid)
    refund["data"]["object"]["metadata"] = {}
    assert deliver(shop, refund).get_json()["outcome"] == "waiting"
    deliver(shop, fake_stripe.session_event("checkout.session.completed", sid))
    assert order(shop, placed)["status"] == "refunded"


def test_reconciliation_applies_refunds_that_were_left_waiting(shop, fake_stripe):
    app = shop.application
    placed = place(shop, ("BB-HEAVY", 1)).get_json()
    sid = session_id(fake_stripe, placed)
    fake_stripe.complete(sid)
    fake_stripe.refund(sid)
    assert deliver(shop, fake_stripe.charge_refunded_event(sid)).get_json()["outcome"] \
        == "waiting"
    with app.app_context():  # paid by a worker that died before it looked at waiting events
        db.session.execute(update(Order).values(status="paid", paid_at=utcnow()))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert result.exit_code == 0, result.output
    assert "waiting_applied: 1" in result.output
    assert order(shop, placed)["status"] == "refunded"
    with app.app_context():
        assert db.session.scalar(select(PaymentEventRecord.outcome)) == "applied"


# --- finding 5: what one shopper may hold -------------------------------------

def test_three_api_calls_can_no_longer_hold_all_the_stock(app, client, scarce):
    token = client.post("/api/v1/carts").get_json()["token"]
    assert client.post(f"/api/v1/carts/{token}/lines",
                       json={"sku": scarce, "quantity": STOCK}).status_code == 200
    refused = checkout(client, token)
    assert refused.status_code == 409
    assert refused.get_json()["reason"] == "hold_limit"
    assert "At most 20 items" in refused.get_json()["message"]
    assert stock_of(app, scarce) == STOCK  # nothing reserved
    with app.app_context():
        assert db.session.scalar(select(Order.id)) is None


def test_one_client_one_email_and_one_cart_are_each_bounded(app, client, scarce):
    assert place(client, (scarce, 20), email="a@example.com").status_code == 201
    by_client = place(client, (scarce, 1), email="b@example.com")
    assert by_client.status_code == 409 and by_client.get_json()["reason"] == "hold_limit"
    by_email = place(client, (scarce, 1), email="A@Example.com", address="10.0.0.9")
    assert by_email.status_code == 409 and by_email.get_json()["reason"] == "hold_limit"
    assert place(client, (scarce, 5), email="c@example.com",
                 address="10.0.0.9").status_code == 201
    assert stock_of(app, scarce) == STOCK - 25
    with app.app_context():  # the address is kept only as a digest
        keys = set(db.session.scalars(select(Order.client_key)))
    assert len(keys) == 2 and all(key and len(key) == 64 and "10.0" not in key for key in keys)


def test_checking_out_the_same_cart_again_replaces_its_open_order(app, client, scarce):
    token = cart_with(client, (scarce, 15))
    first = checkout(client, token).get_json()
    # Back from the payment page without cancelling, the shopper checks out again.
    again = checkout(client, token)
    assert again.status_code == 201, again.get_json()
    assert status_of(app, first["order_number"]) == "cancelled"
    assert stock_of(app, scarce) == STOCK - 15  # held once, not twice


def test_the_bound_is_a_setting(app, client, scarce):
    change_settings(app, checkout_max_units=30)
    assert place(client, (scarce, 30)).status_code == 201
    assert place(client, (scarce, 1), email="b@example.com").status_code == 409


def test_an_expired_test_payment_hold_is_released_by_the_next_checkout(app, client, scarce):
    held = place(client, (scarce, 20)).get_json()
    age_orders(app, 14)
    assert place(client, (scarce, 1), email="b@example.com").status_code == 409  # still held
    age_orders(app, 16)
    assert place(client, (scarce, 1), email="b@example.com").status_code == 201
    assert status_of(app, held["order_number"]) == "cancelled"
    assert stock_of(app, scarce) == STOCK - 1
    test_page_action(client, held["checkout_url"], 0)  # the abandoned page takes no payment
    assert status_of(app, held["order_number"]) == "cancelled"


def test_stripe_holds_last_until_stripe_closes_the_page(shop, fake_stripe):
    app = shop.application
    held = place(shop, ("BB-HEAVY", 3)).get_json()
    sid = session_id(fake_stripe, held)
    age_orders(app, 20)
    assert place(shop, ("BB-LIGHT", 1), email="b@example.com").status_code == 201
    assert status_of(app, held["order_number"]) == "pending_payment"
    age_orders(app, 32, number=held["order_number"])
    assert place(shop, ("BB-LIGHT", 1), email="c@example.com").status_code == 201
    assert fake_stripe.sessions[sid]["status"] == "expired"
    assert status_of(app, held["order_number"]) == "cancelled"
    assert stock_of(app, "BB-HEAVY") == 40


def test_a_stripe_page_paid_at_the_last_moment_pays_instead_of_being_released(
        shop, fake_stripe):
    app = shop.application
    held = place(shop, ("BB-HEAVY", 2)).get_json()
    fake_stripe.complete(session_id(fake_stripe, held))  # its webhook is late
    age_orders(app, 32)
    assert place(shop, ("BB-LIGHT", 1), email="b@example.com").status_code == 201
    assert status_of(app, held["order_number"]) == "paid"
    assert stock_of(app, "BB-HEAVY") == 38


# --- finding 14: a worker killed mid-checkout -----------------------------------

def test_an_order_without_a_payment_page_is_released_after_the_grace(app, client, scarce):
    lost = place(client, (scarce, 4)).get_json()
    age_orders(app, 1, without_page=True)
    assert place(client, (scarce, 1), email="b@example.com").status_code == 201
    assert status_of(app, lost["order_number"]) == "pending_payment"  # maybe still paying
    age_orders(app, 3, number=lost["order_number"], without_page=True)
    assert place(client, (scarce, 1), email="c@example.com").status_code == 201
    assert status_of(app, lost["order_number"]) == "cancelled"
    assert stock_of(app, scarce) == STOCK - 2


def test_reconciliation_releases_orders_without_a_payment_page(app, client, scarce):
    lost = place(client, (scarce, 4)).get_json()
    age_orders(app, 3, without_page=True)
    result = app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert result.exit_code == 0, result.output
    assert "released: 1" in result.output
    assert status_of(app, lost["order_number"]) == "cancelled"
    assert stock_of(app, scarce) == STOCK


class SlowProvider:
    """A provider whose page arrives after another worker released the order."""

    def __init__(self):
        self.closed: list[str] = []

    @hookimpl
    def create_checkout_session(self, provider, request, settings):
        """Let the order be released meanwhile, then answer."""
        if provider != "slow":
            return None
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE orders SET status = 'cancelled' WHERE number = :n"),
                         {"n": request.order_number})
        return CheckoutRedirect(provider="slow", session_id="slow_1", url="https://pay/slow")

    @hookimpl
    def expire_checkout_session(self, provider, session_id, settings):
        """Record the page closed."""
        if provider != "slow":
            return None
        self.closed.append(session_id)
        return True


def test_a_page_that_comes_after_its_order_was_released_is_closed(app, client, scarce):
    plugins = app.extensions["storefront"].plugins
    slow = SlowProvider()
    plugins.register(slow)
    change_settings(app, payment_provider="slow")
    try:
        refused = place(client, (scarce, 2))
    finally:
        plugins.unregister(slow)
    assert refused.status_code == 409 and refused.get_json()["reason"] == "hold_expired"
    assert slow.closed == ["slow_1"]
