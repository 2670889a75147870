"""Rate limits on writes, answered as JSON 429, with counters shared through Redis."""

import pytest
import redis

from storefront import create_app
from storefront.demo import seed_demo
from storefront.extensions import db

from .conftest import _config, _empty_tables
from .moderation_helpers import post_review

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def limited(database_url):
    """Two apps (two 'workers') sharing rate limits through Redis."""
    server = redis.Redis.from_url(REDIS_URL)
    server.flushdb()
    apps = [create_app(_config(database_url, RATELIMIT_ENABLED=True,
                               RATELIMIT_STORAGE_URI=REDIS_URL)) for _ in range(2)]
    with apps[0].app_context():
        seed_demo(db.session, apps[0].extensions["storefront"].plugins)
    yield apps
    for app in apps:
        with app.app_context():
            _empty_tables()
            db.engine.dispose()
    server.flushdb()
    server.close()


def test_review_posts_are_limited_across_workers(limited):
    first, second = (app.test_client() for app in limited)
    statuses = [post_review(first if n % 2 else second, email=f"r{n}@example.com").status_code
                for n in range(6)]
    assert statuses == [202] * 5 + [429]
    response = post_review(first, email="late@example.com")
    assert response.status_code == 429 and response.is_json
    assert response.get_json()["code"] == 429
    assert "Retry-After" in response.headers
    assert redis.Redis.from_url(REDIS_URL).keys("*"), "the counters live in Redis"


def test_cart_creation_is_limited(database_url):
    app = create_app(_config(database_url, RATELIMIT_ENABLED=True,
                             RATELIMIT_STORAGE_URI="memory://"))
    client = app.test_client()
    first = client.post("/api/v1/carts")
    assert first.status_code == 201
    assert first.headers["X-RateLimit-Limit"] == "30"  # a client can pace itself
    assert first.headers["X-RateLimit-Remaining"] == "29"
    statuses = {client.post("/api/v1/carts").status_code for _ in range(30)}
    assert statuses == {201, 429}
    assert "X-RateLimit-Limit" not in client.get("/api/v1/products").headers  # no limit
    with app.app_context():
        _empty_tables()
        db.engine.dispose()
