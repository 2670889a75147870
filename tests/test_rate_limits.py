"""Rate limits on writes, answered as JSON 429, with counters shared through Redis."""

import pytest
import redis

from .moderation_helpers import post_review


@pytest.fixture
def limits_storage(redis_url):
    """An emptied Redis database for the rate-limit counters (no other test uses it)."""
    url = redis_url + "/13"
    server = redis.Redis.from_url(url)
    server.flushdb()
    yield url
    server.flushdb()
    server.close()


@pytest.fixture
def limited(make_app, limits_storage):
    """Start 'workers' of the shop that share rate limits through Redis: `limited()`."""
    return lambda demo=False: make_app(demo=demo, RATELIMIT_ENABLED=True,
                                       RATELIMIT_STORAGE_URI=limits_storage)


def test_review_posts_are_limited_across_workers(limited):
    first, second = limited(demo=True).test_client(), limited().test_client()
    statuses = [post_review(first if n % 2 else second, email=f"r{n}@example.com").status_code
                for n in range(6)]
    assert statuses == [202] * 5 + [429]
    response = post_review(first, email="late@example.com")
    assert response.status_code == 429 and response.is_json
    assert response.get_json()["code"] == 429
    assert "Retry-After" in response.headers
    restarted = limited().test_client()
    assert post_review(restarted, email="new@example.com").status_code == 429, \
        "a worker started afterwards forgot the limit"


def test_cart_creation_is_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    first = client.post("/api/v1/carts")
    assert first.status_code == 201
    assert first.headers["X-RateLimit-Limit"] == "30"  # a client can pace itself
    assert first.headers["X-RateLimit-Remaining"] == "29"
    statuses = {client.post("/api/v1/carts").status_code for _ in range(30)}
    assert statuses == {201, 429}
    assert "X-RateLimit-Limit" not in client.get("/api/v1/products").headers  # no limit
