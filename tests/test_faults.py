"""Faults: the database restarting while shoppers are busy, or cutting an idle connection."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from storefront.config import normalise_database_url
from storefront.extensions import db

DETAIL = "/api/v1/products/better-band"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")  # as conftest.py reads it


def _started_at(url: str):
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT pg_postmaster_start_time()")).scalar()
    finally:
        engine.dispose()


def restart_postgresql() -> None:
    """Restart the server (fast mode: open connections are cut), then wait for it."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart",
                    "-m", "fast"], check=True, timeout=120, capture_output=True)
    for _ in range(120):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not come back within a minute")


@pytest.mark.skipif(not POSTGRES_URL or not shutil.which("pg_ctlcluster"),
                    reason="restarts the local PostgreSQL cluster (CI sets TEST_DATABASE_URL)")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_shoppers_get_a_clean_503_during_a_restart_and_service_after_it(database_url,
                                                                         make_app):
    # The shared cache is off (as in every test app), so every read really asks the database.
    app = make_app(demo=True)
    client = app.test_client()
    saved: list[str] = []  # carts whose line was confirmed with a 200
    before = _started_at(database_url)
    seen: list[tuple[int, bool, str]] = []
    stop = threading.Event()

    def shopper(n: int):
        own = app.test_client()
        while not stop.is_set():
            if n % 2:
                response = own.get(DETAIL)
            else:
                response = own.post("/api/v1/carts")
                if response.status_code == 201:
                    cart = response.get_json()["token"]
                    response = own.post(f"/api/v1/carts/{cart}/lines",
                                        json={"sku": "BB-LIGHT", "quantity": 1})
                    if response.status_code == 200:
                        saved.append(cart)
            seen.append((response.status_code, response.is_json,
                         response.headers.get("Retry-After", "")))

    shoppers = [threading.Thread(target=shopper, args=(n,)) for n in range(4)]
    try:
        for thread in shoppers:
            thread.start()
        time.sleep(0.5)
        restart_postgresql()
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in shoppers:
            thread.join(timeout=30)
    assert _started_at(database_url) != before, "the server really restarted"

    statuses = {status for status, _, _ in seen}
    assert 503 in statuses, "requests during the restart were answered, not hung"
    assert statuses <= {200, 201, 503}, statuses
    assert all(is_json for _, is_json, _ in seen), "every answer is the API's JSON"
    assert all(retry == "5" for status, _, retry in seen if status == 503)

    # Once the database is back, every request succeeds: the failed requests made the
    # pool drop its connections, and idle ones are checked before use.
    assert [client.get(DETAIL).status_code for _ in range(10)] == [200] * 10
    assert saved, "shoppers got carts through before and after the restart"
    for cart in saved:  # nothing confirmed was lost
        assert client.get(f"/api/v1/carts/{cart}").get_json()["item_count"] == 1
    page = client.get("/products/better-band")
    assert page.status_code == 200


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (CI sets TEST_DATABASE_URL)")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_cut_while_idle_is_replaced_before_a_shopper_sees_it(database_url,
                                                                         make_app,
                                                                         monkeypatch):
    from storefront import database
    app = make_app(demo=True)
    client = app.test_client()
    assert client.get(DETAIL).status_code == 200  # the pool now holds a used connection
    with app.app_context():  # the same pooled connection, back from the pool
        pooled = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db.session.remove()
    killer = create_engine(normalise_database_url(database_url))
    with killer.begin() as connection:  # what a restart, a failover or a firewall does
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"),
                                  {"pid": pooled}).scalar_one()
    killer.dispose()
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # idle long enough

    assert [client.get(DETAIL).status_code for _ in range(3)] == [200] * 3
