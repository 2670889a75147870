"""Cached product reads answered before dispatch: the same answer, faster, never stale."""

from __future__ import annotations

import pytest
from flask import request_started

# The before-dispatch answers come from the shared cache (Redis).
pytestmark = pytest.mark.shared_cache

DETAIL = "/api/v1/products/better-band"
LIST = "/api/v1/products"


@pytest.fixture
def dispatched(app):
    """How many requests reached Flask's own handling (a list that grows by one each)."""
    seen: list[str] = []

    def count(sender, **extra):
        from flask import request
        seen.append(request.full_path)

    request_started.connect(count, app)
    yield seen
    request_started.disconnect(count, app)


def _headers(response) -> dict:
    return {name: value for name, value in response.headers.items()}


@pytest.mark.parametrize("path", [DETAIL, LIST])
def test_a_cached_read_is_answered_before_dispatch_exactly_as_the_view_answers(
        client, demo, dispatched, path):
    built = client.get(path)
    assert built.status_code == 200 and len(dispatched) == 1
    served = client.get(path)
    assert len(dispatched) == 1, "the second answer came from the cache, before Flask"
    assert served.status_code == 200
    assert served.data == built.data
    assert _headers(served) == _headers(built)
    assert served.headers["Content-Security-Policy"] and served.headers["ETag"]


def test_a_header_added_after_the_view_is_sent_from_the_cache_too(app, client, demo,
                                                                   dispatched):
    @app.after_request
    def stamp(response):
        response.headers["X-Shop-Region"] = "eu"
        response.set_cookie("visit", "one")  # belongs to that one answer
        return response

    built = client.get(DETAIL)
    served = client.get(DETAIL)
    etag = served.headers["ETag"]
    not_modified = client.get(DETAIL, headers={"If-None-Match": etag})
    assert len(dispatched) == 1, "the later answers came from the cache, before Flask"
    assert built.headers["X-Shop-Region"] == served.headers["X-Shop-Region"] == "eu"
    assert not_modified.status_code == 304 and not_modified.headers["X-Shop-Region"] == "eu"
    assert "Set-Cookie" in built.headers and "Set-Cookie" not in served.headers


def test_a_conditional_read_gets_304_and_head_gets_no_body(client, demo, dispatched):
    etag = client.get(DETAIL).headers["ETag"]
    not_modified = client.get(DETAIL, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    head = client.head(DETAIL)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(client.get(DETAIL).data))
    assert len(dispatched) == 1


def test_a_change_is_answered_by_the_view_again(client, demo, staff, dispatched):
    old = client.get(DETAIL).get_json()["variants"][0]["price"]["amount"]
    client.get(DETAIL)
    assert client.patch("/api/v1/staff/variants/BB-LIGHT", json={"price": old - 200},
                        headers=staff.headers("admin")).status_code == 200
    assert client.get(DETAIL).get_json()["variants"][0]["price"]["amount"] == old - 200
    assert dispatched[-1] == DETAIL + "?", "the stale copy was not served"


@pytest.mark.parametrize("request_", [
    ("GET", DETAIL + "?fields=all", {}),  # a query string: kept under other keys
    ("GET", DETAIL, {"Authorization": "Bearer x"}),  # credentials: never from a cache
    ("GET", "/api/v1/products/no-such-band", {}),  # nothing cached: the view's JSON 404
    ("GET", "/api/v1/products/better-band/", {}),  # not the route itself
    ("GET", "/api/v1/carts/abc", {}),  # not a cached read
])
def test_other_requests_go_to_the_app(client, demo, dispatched, request_):
    method, path, headers = request_
    client.get(DETAIL)
    client.get(DETAIL)
    before = len(dispatched)
    response = client.open(path, method=method, headers=headers)
    assert len(dispatched) == before + 1
    if "no-such" in path:
        assert response.status_code == 404 and response.is_json


def test_with_redis_away_the_app_answers(make_app):
    client = make_app(demo=True, STOREFRONT_CACHE_URL="redis://127.0.0.1:1/0").test_client()
    assert [client.get(DETAIL).status_code for _ in range(2)] == [200, 200]
