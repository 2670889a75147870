"""Promises about the shop's edges: Redis that fails, proxies in front, forged hosts,
what browsers and shared caches may keep, and which origins may call the API."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from storefront.extensions import db
from tests.factories import PASSWORD, StaffActions
from tests.moderation_helpers import ARTICLE, REVIEW, post_comment, post_review

PAGE = "/products/better-band"
DETAIL = "/api/v1/products/better-band"
FRONT = "https://front.example"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers: a Redis that
    hangs. Counts the connections it was asked for."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.url = f"redis://127.0.0.1:{self.socket.getsockname()[1]}/0"
        self.held: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                self.held.append(self.socket.accept()[0])
            except TimeoutError:
                continue

    def close(self) -> None:
        """Stop accepting and drop every connection."""
        self.stopping.set()
        self.thread.join()
        for conn in self.held:
            conn.close()
        self.socket.close()


class RedisRelay:
    """A TCP relay in front of a real Redis that can be cut off and restored: a Redis that
    goes away for one host (the one given `url`) and comes back."""

    def __init__(self, redis_url: str):
        target = urlsplit(redis_url)
        self.upstream = (target.hostname, target.port or 6379)
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.url = f"redis://127.0.0.1:{self.socket.getsockname()[1]}{target.path}"
        self.open: list[socket.socket] = []
        self.cut = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn = self.socket.accept()[0]
            except TimeoutError:
                continue
            if self.cut.is_set():
                conn.close()
                continue
            upstream = socket.create_connection(self.upstream)
            self.open += [conn, upstream]
            for source, target in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass

    def cut_off(self) -> None:
        """Drop every connection and refuse new ones until `restore`."""
        self.cut.set()
        for conn in self.open:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        self.open.clear()

    def restore(self) -> None:
        """Relay new connections again."""
        self.cut.clear()

    def close(self) -> None:
        """Stop relaying and drop everything."""
        self.stopping.set()
        self.thread.join()
        self.cut_off()
        self.socket.close()


@pytest.fixture
def silent_redis():
    """A Redis address that accepts connections and stays silent."""
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture(params=["unreachable", "silent"])
def broken_redis(request):
    """A Redis that refuses connections, or one that accepts them and never answers."""
    if request.param == "unreachable":
        yield "redis://127.0.0.1:1/0", None
        return
    server = SilentServer()
    yield server.url, server
    server.close()


def _shopping_and_writing(app) -> list[tuple[str, int]]:
    """Every limited write a shop lives on, as (what, status)."""
    client = app.test_client()
    with app.app_context():
        email = StaffActions(client, db.session).create().email
    steps = []

    def step(name, call):
        response = call()
        steps.append((name, response.status_code))
        return response

    token = step("cart", lambda: client.post("/api/v1/carts")).get_json()["token"]
    step("add", lambda: client.post(f"/api/v1/carts/{token}/lines",
                                    json={"sku": "BB-LIGHT", "quantity": 1}))
    step("checkout", lambda: client.post(f"/api/v1/carts/{token}/checkout",
                                         json={"email": "shopper@example.com"}))
    step("review", lambda: post_review(client))
    step("comment", lambda: post_comment(client))
    csrf = CSRF.search(client.get(PAGE).text).group(1)
    step("page add", lambda: client.post("/cart/add", data={
        "csrf_token": csrf, "sku": "BB-LIGHT", "quantity": 1}))
    csrf = CSRF.search(client.get("/staff/login").text).group(1)
    step("staff login", lambda: client.post("/staff/login", data={
        "csrf_token": csrf, "email": email, "password": PASSWORD}))
    return steps


# ---------------------------------------------------------------------------
# Finding 2: a Redis that is away or silent never stops a sale
# ---------------------------------------------------------------------------

def test_limits_fail_open_when_their_redis_is_away_or_silent(make_app, broken_redis, caplog):
    url, silent = broken_redis
    app = make_app(demo=True, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url)
    caplog.set_level(logging.WARNING)
    steps = _shopping_and_writing(app)
    assert [(name, status) for name, status in steps] == [
        ("cart", 201), ("add", 200), ("checkout", 201), ("review", 202), ("comment", 202),
        ("page add", 303), ("staff login", 302)]
    if silent is not None:
        # A hanging Redis costs the first write its timeout (and the limiter one probe),
        # then is left alone: seven writes, not seven waits of the storage timeout.
        assert len(silent.held) <= 2, f"Redis asked {len(silent.held)} times"
    assert "falling back to in-memory storage" in caplog.text


def test_limits_still_count_in_memory_while_redis_is_away(make_app):
    app = make_app(demo=True, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = app.test_client()
    statuses = [post_review(client, email=f"r{n}@example.com").status_code for n in range(6)]
    assert statuses == [202] * 5 + [429]


def test_a_silent_cache_redis_costs_one_timeout_then_is_left_alone(make_app, silent_redis,
                                                                   caplog):
    app = make_app(demo=True, STOREFRONT_CACHE_URL=silent_redis.url)
    client = app.test_client()
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    statuses = [client.get(path).status_code for path in (DETAIL, PAGE) * 3]
    elapsed = time.monotonic() - started
    assert statuses == [200] * 6
    assert elapsed < 2, elapsed
    assert len(silent_redis.held) <= 2, "asked again during the back-off"
    assert "cache unavailable" in caplog.text


def test_an_unreachable_cache_redis_still_answers(make_app):
    app = make_app(demo=True, STOREFRONT_CACHE_URL="redis://127.0.0.1:1/0")
    client = app.test_client()
    assert [client.get(path).status_code for path in (DETAIL, PAGE) * 2] == [200] * 4


def test_a_change_made_while_redis_was_away_reaches_every_host_when_it_returns(
        make_app, cache_url, staff):
    relay = RedisRelay(cache_url)
    try:
        # This host reaches Redis through the relay, with a short back-off after a failure.
        here = make_app(demo=True, STOREFRONT_CACHE_URL=relay.url,
                        STOREFRONT_CACHE_RETRY_AFTER=0.1)
        prefix = here.config["STOREFRONT_CACHE_PREFIX"]
        elsewhere = make_app(STOREFRONT_CACHE_URL=cache_url,
                             STOREFRONT_CACHE_PREFIX=prefix).test_client()
        assert _price(elsewhere) == 1999  # now kept in the shared cache
        relay.cut_off()
        client = here.test_client()
        changed = client.patch("/api/v1/staff/variants/BB-LIGHT", json={"price": 1899},
                               headers=staff.headers("admin"))
        assert changed.status_code == 200
        relay.restore()
        time.sleep(0.2)  # the back-off is over
        assert _price(client) == 1899
        assert _price(elsewhere) == 1899, "another host still serves the old price"
    finally:
        relay.close()


def _price(client) -> int:
    return client.get(DETAIL).get_json()["variants"][0]["price"]["amount"]


# ---------------------------------------------------------------------------
# Finding 8: limits key on the visitor behind a trusted proxy, and only then
# ---------------------------------------------------------------------------

def _reviews_from(client, address: str, count: int) -> list[int]:
    """Statuses of `count` reviews sent through a proxy that names `address`."""
    return [client.post("/api/v1/products/better-band/reviews",
                        json={**REVIEW, "email": f"{address}-{n}@example.com"},
                        headers={"X-Forwarded-For": address}).status_code
            for n in range(count)]


def test_behind_a_trusted_proxy_limits_key_on_each_visitor(make_app):
    app = make_app(demo=True, RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    client = app.test_client()
    assert _reviews_from(client, "203.0.113.1", 6) == [202] * 5 + [429]
    assert _reviews_from(client, "203.0.113.2", 1) == [202], "another visitor is not limited"


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(make_app):
    app = make_app(demo=True, RATELIMIT_ENABLED=True)
    client = app.test_client()
    assert _reviews_from(client, "203.0.113.1", 5) == [202] * 5
    assert _reviews_from(client, "203.0.113.2", 1) == [429], "a made-up address is no escape"


# ---------------------------------------------------------------------------
# Finding 9: a forged Host never reaches another visitor
# ---------------------------------------------------------------------------

@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
@pytest.mark.parametrize("path", [PAGE, f"/articles/{ARTICLE}"])
def test_a_forged_host_never_reaches_the_next_visitor(make_app, path):
    app = make_app(demo=True)
    client = app.test_client()
    assert client.get(path, headers={"Host": "evil.example"}).status_code == 200
    page = client.get(path).text
    assert "evil.example" not in page
    assert 'rel="canonical" href="http://localhost/' in page


@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
def test_with_a_public_base_url_links_ignore_the_host(make_app):
    app = make_app(demo=True, PUBLIC_BASE_URL="https://shop.example")
    client = app.test_client()
    evil = {"Host": "evil.example"}
    page = client.get(PAGE, headers=evil).text
    assert 'rel="canonical" href="https://shop.example/products/better-band"' in page
    assert 'property="og:url" content="https://shop.example/products/better-band"' in page
    assert "evil.example" not in page
    assert client.get(DETAIL, headers=evil).get_json()["url"].startswith("https://shop.example/")
    sitemap = client.get("/sitemap.xml", headers=evil).text
    assert "https://shop.example/" in sitemap and "evil.example" not in sitemap


@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
@pytest.mark.parametrize("path", [DETAIL, "/api/v1/products", PAGE, "/"])
def test_with_trusted_hosts_a_foreign_host_is_refused(make_app, path):
    app = make_app(demo=True, TRUSTED_HOSTS=["localhost"])
    client = app.test_client()
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # now answered from the cache
    assert client.get(path, headers={"Host": "evil.example"}).status_code == 400


# ---------------------------------------------------------------------------
# Finding 12: personal answers are never stored; HTTPS is pinned
# ---------------------------------------------------------------------------

PRIVATE = "private, no-store"


@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
def test_pages_with_a_cookie_or_a_form_are_private(app, client, demo, staff):
    first = client.get(PAGE)
    assert "Set-Cookie" in first.headers
    assert first.headers["Cache-Control"] == PRIVATE
    for path in (PAGE, "/cart", f"/articles/{ARTICLE}", "/staff/login"):
        assert client.get(path).headers["Cache-Control"] == PRIVATE, path


@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
def test_the_staff_console_is_private_throughout(client, staff):
    user = staff.create("admin")
    assert staff.login(user.email).status_code == 302
    for path in ("/staff/", "/staff/moderation", "/staff/login"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == PRIVATE, path


@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
def test_cart_order_and_staff_api_answers_are_private(client, demo, staff):
    created = client.post("/api/v1/carts")
    token = created.get_json()["token"]
    added = client.post(f"/api/v1/carts/{token}/lines", json={"sku": "BB-LIGHT", "quantity": 1})
    cart = client.get(f"/api/v1/carts/{token}")
    placed = client.post(f"/api/v1/carts/{token}/checkout", json={"email": "a@example.com"})
    order = client.get(f"/api/v1/orders/{placed.get_json()['order_number']}",
                       headers={"X-Order-Token": placed.get_json()["order_token"]})
    queue = client.get("/api/v1/staff/moderation", headers=staff.headers())
    for response in (created, added, cart, placed, order, queue):
        assert response.status_code in (200, 201), response.request.path
        assert response.headers["Cache-Control"] == PRIVATE, response.request.path


@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
def test_public_reads_stay_cacheable_with_revalidation(client, demo):
    for _ in range(2):  # built by the view, then answered from the cache
        response = client.get(DETAIL)
        assert response.headers["Cache-Control"] == "public, no-cache"
        assert response.headers["ETag"]
    again = client.get(DETAIL, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "public, no-cache"


HSTS = "max-age=31536000; includeSubDomains"


@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
def test_hsts_over_https_only(client, demo):
    for path in (PAGE, DETAIL, DETAIL):  # the last one from the cache, before dispatch
        assert client.get(path, base_url="https://localhost").headers[
            "Strict-Transport-Security"] == HSTS
        assert "Strict-Transport-Security" not in client.get(path).headers


def test_hsts_behind_a_trusted_proxy_that_says_https(make_app):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    trusting = make_app(demo=True, TRUSTED_PROXIES=1).test_client()
    assert trusting.get(PAGE, headers=forwarded).headers[
        "Strict-Transport-Security"] == HSTS
    direct = make_app(demo=True).test_client()
    assert "Strict-Transport-Security" not in direct.get(PAGE, headers=forwarded).headers


# ---------------------------------------------------------------------------
# CORS: allowed origins on the public and cart API, never on the staff API
# ---------------------------------------------------------------------------

def _preflight(client, path, method="POST", origin=FRONT, headers="Content-Type"):
    return client.options(path, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers})


@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
def test_an_allowed_origin_may_read_products_and_use_carts(make_app):
    client = make_app(demo=True, CORS_ORIGINS=[FRONT]).test_client()
    for _ in range(2):  # built by the view, then as the cache holds it
        read = client.get(DETAIL, headers={"Origin": FRONT})
        assert read.headers["Access-Control-Allow-Origin"] == FRONT
        assert "ETag" in read.headers["Access-Control-Expose-Headers"]
        assert "Origin" in read.headers["Vary"]
    preflight = _preflight(client, "/api/v1/carts")
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == FRONT
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    order = _preflight(client, "/api/v1/orders/SO-1", "GET", headers="X-Order-Token")
    assert "x-order-token" in order.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers


@pytest.mark.shared_cache  # on, as in production, so a kept answer would show
def test_other_origins_and_the_staff_api_get_no_cors(make_app):
    client = make_app(demo=True, CORS_ORIGINS=[FRONT]).test_client()
    stranger = client.get(DETAIL, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    assert "Access-Control-Allow-Origin" not in _preflight(
        client, "/api/v1/carts", origin="https://evil.example").headers
    for path in ("/api/v1/staff/moderation", "/api/v1/staff/me"):
        assert "Access-Control-Allow-Origin" not in _preflight(client, path, "GET").headers
        assert "Access-Control-Allow-Origin" not in client.get(
            path, headers={"Origin": FRONT}).headers


def test_without_cors_origins_no_cors_headers_at_all(client, demo):
    read = client.get(DETAIL, headers={"Origin": FRONT})
    assert not [name for name in read.headers.keys() if name.startswith("Access-Control")]
    assert "Access-Control-Allow-Origin" not in _preflight(client, "/api/v1/carts").headers
