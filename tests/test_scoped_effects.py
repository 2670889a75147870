"""The shop changes only its own things: a host app's engines, sessions and login stay its own."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_login import LoginManager
from sqlalchemy import Integer, String, create_engine, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from storefront import ConfigError, Storefront
from storefront.extensions import db, login
from storefront.search.index import PENDING
from storefront.sharedcache import DIRTY


class HostBase(DeclarativeBase):
    """The host app's own models, on its own engine."""


class Note(HostBase):
    """A host table whose name the shop does not know (so it would count as page data)."""

    __tablename__ = "note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(String(50))


@pytest.fixture
def cached_app(make_app, cache_url):
    """The standalone shop with the shared cache on."""
    return make_app(STOREFRONT_CACHE_URL=cache_url)


def _generation(app) -> bytes | None:
    cache = app.extensions["storefront"].cache
    return cache.client.get(cache.generation_key)


@pytest.mark.shared_cache
def test_a_host_sessions_writes_leave_the_shops_cache_and_index_alone(cached_app):
    engine = create_engine("sqlite://")
    HostBase.metadata.create_all(engine)
    with cached_app.app_context():
        db.session.execute(text("UPDATE product SET name = name"))  # page data: a new
        db.session.commit()                                           # generation
        before = _generation(cached_app)
        with Session(engine) as host:
            host.add(Note(body="the host's own row"))
            host.flush()
            assert DIRTY not in host.info and PENDING not in host.info
            host.commit()
        assert _generation(cached_app) == before, "a host commit made the shop's cache stale"
        db.session.execute(text("UPDATE product SET name = name"))
        db.session.commit()
        assert _generation(cached_app) != before, "the shop's own writes still invalidate"
    engine.dispose()


def test_a_host_sqlite_engine_gets_none_of_the_shops_pragmas(app):
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 0
    engine.dispose()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_building_the_shop_twice_adds_each_listener_once(app):
    from sqlalchemy import event

    from storefront import database, sharedcache
    from storefront.search import index
    with app.app_context():
        engine = db.engine
    for _ in range(2):
        database.configure_engine_events(app)
        sharedcache.follow_commits()
        index.follow_changes()
    if engine.dialect.name == "sqlite":
        assert event.contains(engine, "connect", database._sqlite_pragmas)
    assert event.contains(db.session, "after_commit", sharedcache._after_commit)
    assert event.contains(db.session, "before_commit", index._refresh_before_commit)


@pytest.fixture
def host_with_login(app_settings):
    """A host app with a LoginManager of its own; its connections closed afterwards."""
    host, own = _host_with_login(app_settings())
    yield host, own
    if "sqlalchemy" in host.extensions:
        with host.app_context():
            db.session.remove()
            db.engine.dispose()


def _host_with_login(shop_settings: dict) -> tuple[Flask, LoginManager]:
    host = Flask("host")
    database_url = shop_settings["SQLALCHEMY_DATABASE_URI"]
    host.config.update(SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=database_url,
                       TESTING=True, RATELIMIT_ENABLED=False)
    if "SQLALCHEMY_ENGINE_OPTIONS" in shop_settings:  # the test run's own schema
        host.config["SQLALCHEMY_ENGINE_OPTIONS"] = shop_settings["SQLALCHEMY_ENGINE_OPTIONS"]
    own = LoginManager()
    own.login_view = "host_login"
    own.login_message = "Members only."
    own.init_app(host)
    return host, own


def test_a_hosts_own_login_manager_is_kept_when_the_shop_has_no_pages(host_with_login):
    host, own = host_with_login
    Storefront().init_app(host, pages=False)
    assert host.login_manager is own
    assert (own.login_view, own.login_message) == ("host_login", "Members only.")
    assert host.test_client().get("/api/v1/products").status_code == 200


def test_the_shops_pages_beside_a_hosts_login_manager_are_refused_plainly(host_with_login):
    host, own = host_with_login
    with pytest.raises(ConfigError, match="LoginManager of its own"):
        Storefront().init_app(host, pages=True)
    assert own.login_view == "host_login"


def test_building_the_staff_console_changes_no_global_login_settings():
    from storefront.staff.console import make_blueprint
    before = (login.login_view, login.login_message, dict(login.blueprint_login_views))
    make_blueprint()
    assert (login.login_view, login.login_message,
            dict(login.blueprint_login_views)) == before
