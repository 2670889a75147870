"""A plain Flask host app mounts the core (API only) and sells through it end to end."""

from __future__ import annotations

import pytest
from flask import Flask

from plugins.test_payments import sign_event, signing_secret
from storefront import ConfigError, Storefront
from storefront.extensions import db

from .factories import make_product

HOST_SECRET = "host-secret-for-the-shop"


@pytest.fixture
def host(make_host_app):
    """A host app with the minimal settings the README's embedding example gives."""
    return make_host_app({"SECRET_KEY": HOST_SECRET, "PAYMENT_PROVIDER": "test",
                          "RATELIMIT_ENABLED": True,
                          "STOREFRONT_VIEW_BATCH": 1}, pages=False)  # views written at once


def paid_event(order_number: str, amount: int, currency: str) -> dict[str, str]:
    """The form a test payment page's Pay button posts, signed with the host's key."""
    return sign_event(signing_secret(HOST_SECRET), {
        "event_id": f"tp_host:{order_number}:paid", "kind": "paid",
        "order_number": order_number, "session_id": "tp_host", "amount": amount,
        "currency": currency, "return_to": ""})


def test_a_host_app_checks_out_and_a_webhook_pays_the_order(app, host):
    with host.app_context():
        make_product(db.session, "host-band", price=1250, stock=5)
        db.session.remove()
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "host home"

    token = client.post("/api/v1/carts").get_json()["token"]
    added = client.post(f"/api/v1/carts/{token}/lines", json={"sku": "HOST-BAND-0",
                                                               "quantity": 2})
    assert added.status_code == 200, added.get_json()
    placed = client.post(f"/api/v1/carts/{token}/checkout", json={"email": "h@example.com"})
    assert placed.status_code == 201, placed.get_json()
    placed = placed.get_json()
    assert placed["payment_provider"] == "test"

    delivered = client.post("/api/v1/webhooks/test",
                            data=paid_event(placed["order_number"], 2500, "usd"))
    assert delivered.status_code == 200, delivered.get_data(as_text=True)
    assert delivered.get_json() == {"received": True, "outcome": "applied"}
    order = client.get(f"/api/v1/orders/{placed['order_number']}",
                       headers={"X-Order-Token": placed["order_token"]}).get_json()
    assert order["status"] == "paid"
    assert client.get(f"/api/v1/carts/{token}").get_json()["is_empty"] is True


def test_a_forged_webhook_pays_nothing_in_a_host_app(app, host):
    forged = sign_event(signing_secret("another-secret"), {"event_id": "x", "kind": "paid"})
    response = host.test_client().post("/api/v1/webhooks/test", data=forged)
    assert response.status_code == 400


def test_a_host_app_keeps_its_own_json_provider(host):
    from storefront.jsonprovider import OrjsonProvider
    assert not isinstance(host.json, OrjsonProvider)


def test_a_host_app_in_production_is_told_what_is_missing(database_url):
    host = Flask("host")
    host.config.update(SECRET_KEY=HOST_SECRET, SQLALCHEMY_DATABASE_URI=database_url)
    with pytest.raises(ConfigError, match="STRIPE_SECRET_KEY is not set"):
        Storefront().init_app(host, pages=False)
