"""The `fake_stripe` fixture: one fake Stripe server per test run, emptied for each test.

Use it from a conftest or test module with
`from .fakestripe_fixtures import fake_stripe  # noqa: F401`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fakestripe import FakeStripe

_SERVER = pytest.StashKey[FakeStripe]()


@pytest.fixture
def fake_stripe(request: pytest.FixtureRequest) -> Iterator[FakeStripe]:
    """A running FakeStripe with no objects, requests, faults or webhook target.

    Point the Stripe plugin at it with `PaymentSettings(secret_key="sk_test_...",
    api_base=fake_stripe.url)`. The server starts with the first test that asks for
    it and stops when the test run ends.
    """
    config = request.config
    server = config.stash.get(_SERVER, None)
    if server is None:
        server = FakeStripe().start()
        config.stash[_SERVER] = server
        config.add_cleanup(server.stop)
    server.reset()
    yield server
    server.reset()
