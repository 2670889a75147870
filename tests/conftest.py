"""Fixtures: every database test runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL."""

from __future__ import annotations

import os
import tempfile
import threading
import uuid

import flask_migrate
import pytest
from sqlalchemy import create_engine, event, text

from storefront import create_app
from storefront.extensions import db

from .factories import StaffActions
from .fakestripe import TEST_KEY, WEBHOOK_SECRET
from .fakestripe_fixtures import fake_stripe  # noqa: F401
from .smtp_fixtures import certificate, smtp_server  # noqa: F401

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
# Each test run gets a schema of its own, so runs side by side never meet.
POSTGRES_SCHEMA = f"test_run_{os.getpid()}"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "shared_cache: the test's apps use the shared Redis cache, as in production "
        "(the test fails when Redis does not answer)")


MAIL_DIR = tempfile.mkdtemp(prefix="storefront-test-mail-")


def _config(url: str, **extra) -> dict:
    config = {"STOREFRONT_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
              "RATELIMIT_ENABLED": False, "PUBLIC_BASE_URL": "", "SHOP_NAME": "Better Band",
              # Views are written at once, so no test leaves views held for the next one.
              "STOREFRONT_VIEW_BATCH": 1,
              # No shared cache unless a test asks for it (`shared_cache` marker or fixture),
              # so most tests need no Redis; each app that has one gets keys of its own.
              "STOREFRONT_CACHE_URL": "",
              "STOREFRONT_CACHE_PREFIX": f"test-{uuid.uuid4().hex}:",
              # Emails without an SMTP server are written here, not into the instance folder.
              "STOREFRONT_MAIL_DIR": MAIL_DIR, **extra}
    if url.startswith("postgres"):
        # A test that leaves a lock behind fails in seconds instead of hanging the run.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {
            "options": f"-c search_path={POSTGRES_SCHEMA} -c lock_timeout=15000"}}
    return config


def _postgres_schema(url: str, *, create: bool) -> None:
    """(Re)create or drop this run's schema; fail loudly when PostgreSQL does not answer."""
    from storefront.config import normalise_database_url
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {POSTGRES_SCHEMA} CASCADE"))
            if create:
                conn.execute(text(f"CREATE SCHEMA {POSTGRES_SCHEMA}"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    """A migrated, empty database of each kind under test."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    else:
        url = POSTGRES_URL
        _postgres_schema(url, create=True)
        request.addfinalizer(lambda: _postgres_schema(url, create=False))
    app = create_app(_config(url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def redis_url():
    """The test run's Redis server (`TEST_REDIS_URL`, no database number).

    A test that asks for it, directly or through the `shared_cache` marker, fails at once
    when Redis does not answer: it is never skipped, so CI (which has Redis) runs it."""
    import redis
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    problem = None
    try:
        client.ping()
    except redis.RedisError as error:
        problem = error
    finally:
        client.close()
    if problem is not None:
        pytest.fail(f"this test needs Redis at {REDIS_URL} (set TEST_REDIS_URL): {problem}",
                    pytrace=False)
    return REDIS_URL


@pytest.fixture
def cache_url(redis_url):
    """The Redis database the shared cache uses in tests (each app has keys of its own)."""
    return redis_url + "/14"


@pytest.fixture
def app_settings(request, database_url):
    """The settings of a test app on this database, plus any given: `app_settings(KEY=value)`.

    Under `@pytest.mark.shared_cache` they turn the shared cache on, as in production."""
    cached = request.node.get_closest_marker("shared_cache") is not None
    cache = {"STOREFRONT_CACHE_URL": request.getfixturevalue("cache_url")} if cached else {}
    return lambda **settings: _config(database_url, **{**cache, **settings})


@pytest.fixture
def make_host_app(app_settings):
    """A plain Flask host app on this test's database, with routes `/` and `/about` of its
    own and the shop mounted by `init_app(**options)`: `make_host_app(config, **options)`."""
    from flask import Flask

    from storefront import Storefront

    def build(config: dict | None = None, **options):
        shop = app_settings()
        host = Flask("host")
        host.config.update(SECRET_KEY="host-secret", TESTING=True, RATELIMIT_ENABLED=False,
                           SQLALCHEMY_DATABASE_URI=shop["SQLALCHEMY_DATABASE_URI"])
        if "SQLALCHEMY_ENGINE_OPTIONS" in shop:  # the test run's own schema
            host.config["SQLALCHEMY_ENGINE_OPTIONS"] = shop["SQLALCHEMY_ENGINE_OPTIONS"]
        host.config.update(config or {})
        host.add_url_rule("/", "index", lambda: "host home")
        host.add_url_rule("/about", "about", lambda: "about the host")
        Storefront().init_app(host, **options)
        built.append(host)
        return host

    built: list = []
    yield build
    for host in built:  # its emails sent, its connections closed, before the next test
        _close_app(host)


def _close_app(app) -> None:
    """Wait for the app's emails still going out, then close its database connections."""
    if "storefront_mail" in app.extensions:
        app.extensions["storefront_mail"].wait()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(app_settings):
    """Build shops on this test's database with settings of their own: `make_app(KEY=value)`.

    `demo=True` loads the demo catalogue (once per test, whichever app asks first). After
    the test the tables are emptied and every app's connections and cache are closed."""
    made: list = []

    def build(*, demo: bool = False, **settings):
        app = create_app(app_settings(**settings))
        if demo and not any(seeded for _, seeded in made):
            from storefront.demo import seed_demo
            with app.app_context():
                seed_demo(db.session, app.extensions["storefront"].plugins)
        made.append((app, demo))
        return app

    yield build
    for n, (app, _) in enumerate(made):
        if "storefront_mail" in app.extensions:  # emails still going out, beside a response
            app.extensions["storefront_mail"].wait()
        with app.app_context():
            if n == 0:
                _empty_tables()
            db.session.remove()
            db.engine.dispose()
        app.extensions["storefront"].cache.close()


@pytest.fixture
def app(make_app):
    """The standalone shop on a clean database (with the shared cache under the
    `shared_cache` marker)."""
    return make_app()


def _empty_tables():
    """Delete every row (after ending the session's transaction, which would block TRUNCATE)."""
    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """The database session, inside an app context."""
    with app.app_context():
        yield db.session


@pytest.fixture
def demo(app, session):
    """The demo catalogue and content, loaded as `storefront seed-demo` loads them."""
    from storefront.demo import seed_demo
    return seed_demo(session, app.extensions["storefront"].plugins)


@pytest.fixture
def staff(app, client, session):
    """Make staff members, tokens and console logins."""
    return StaffActions(client, session)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements a block of code sends: `with count_queries() as n: ...; n()`."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []
        counting_thread = threading.get_ident()

        def record(conn, cursor, statement, *args):
            # Only this thread's: an email going out beside an earlier answer is not the
            # cost of the code being measured.
            if threading.get_ident() == counting_thread:
                statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def stripe_app(make_app, fake_stripe):  # noqa: F811
    """The shop taking payments through Stripe, the SDK pointed at the fake server."""
    app = make_app(STRIPE_SECRET_KEY=TEST_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                   STRIPE_API_BASE=fake_stripe.url)
    assert app.config["PAYMENT_PROVIDER"] == "stripe"
    return app
