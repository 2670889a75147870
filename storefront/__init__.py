"""The commerce core: `create_app()` for the standalone shop, `Storefront` for host apps."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from .settings import ConfigError, Settings

__all__ = ["ConfigError", "Settings", "Storefront", "create_app"]

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


@dataclass
class StorefrontState:
    """Per-app state of the extension, kept in `app.extensions["storefront"]`."""

    plugins: object
    api: object
    api_prefix: str
    pages: bool
    api_paths: tuple[str, ...] = ()
    blueprint_names: set[str] = field(default_factory=set)
    render_html_error: Callable = field(default=lambda error: error)
    settings: Settings = field(default_factory=Settings)
    cache: object = None
    holes: dict = field(default_factory=dict)  # name -> (template, context), `web.holes`


class Storefront:
    """The Flask extension that mounts the shop's API (and optionally its pages) into an app."""

    def __init__(self, app: Flask | None = None, **options):
        self.options = options
        if app is not None:
            self.init_app(app, **options)

    def init_app(self, app: Flask, *, api_prefix: str | None = None, pages: bool | None = None,
                 plugin_manager=None, settings: Settings | None = None) -> None:
        """Bind the core to `app`: database, migrations, login, rate limits, API and pages.

        The settings come from `app.config` (`Settings.from_config`), checked here once,
        unless `create_app` hands in the ones it built from the environment."""
        from plugins.manager import build_plugin_manager

        from . import (  # noqa: F401 (tables)
            caching,
            database,
            models,
            security,
            sharedcache,
        )
        from .cli import register_commands
        from .extensions import db, limiter, migrate
        from .restapi import StorefrontApi
        from .search import index as search_index

        options = {**self.options}
        if api_prefix is not None:
            options["api_prefix"] = api_prefix
        if pages is not None:
            options["pages"] = pages
        config = app.config
        if "api_prefix" in options:
            config["STOREFRONT_API_PREFIX"] = options["api_prefix"]
        if "pages" in options:
            config["STOREFRONT_PAGES"] = options["pages"]
        if settings is None or options:
            settings = Settings.from_config(config, instance_path=app.instance_path)
        settings.write_config(config)
        config.setdefault("STOREFRONT_LOAD_ENTRYPOINTS", not app.testing)
        config.setdefault("STOREFRONT_API_TITLE", "Storefront API")
        config.setdefault("STOREFRONT_API_VERSION", "v1")
        config.setdefault("STOREFRONT_OPENAPI_VERSION", "3.0.3")
        prefix = settings.api_prefix
        docs_prefix = prefix.rsplit("/", 1)[0] or "/"
        config.setdefault("STOREFRONT_OPENAPI_URL_PREFIX", docs_prefix)
        config.setdefault("STOREFRONT_OPENAPI_JSON_PATH", "openapi.json")
        _fail_open_limits(config)

        if "sqlalchemy" not in app.extensions:
            db.init_app(app)
        app.teardown_appcontext(_end_session_quietly)  # runs before Flask-SQLAlchemy's
        if not config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            with app.app_context():
                for engine in db.engines.values():
                    database.ping_when_idle(engine)
        database.configure_engine_events(app)
        search_index.follow_changes()
        sharedcache.follow_commits()
        migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
        from .staff.console import init_login
        init_login(app, pages=bool(config["STOREFRONT_PAGES"]))
        limiter._storage_dead = False  # one limiter serves every app: each starts trusting
        limiter.init_app(app)          # its own storage, whatever an earlier one met
        _limit_per_route_only(app, limiter)

        manager = plugin_manager or build_plugin_manager(
            load_entrypoints=config["STOREFRONT_LOAD_ENTRYPOINTS"])
        api = StorefrontApi(config_prefix="STOREFRONT_")
        docs_path = docs_prefix.rstrip("/") + "/" + config["STOREFRONT_OPENAPI_JSON_PATH"]
        state = StorefrontState(plugins=manager, api=api, api_prefix=prefix,
                                pages=settings.pages, api_paths=(prefix, docs_path),
                                settings=settings,
                                cache=sharedcache.SharedCache(
                                    settings.cache_url, prefix=settings.cache_prefix,
                                    ttl=settings.cache_ttl, timeout=settings.cache_timeout,
                                    retry_after=settings.cache_retry_after))
        app.extensions["storefront"] = state
        api.init_app(app, spec_kwargs={"info": {"description": API_DESCRIPTION}})
        api.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer"})

        from .blueprints import register_blueprints
        register_blueprints(app, state)
        security.init_app(app, state)
        caching.init_app(app, state)
        from .mail.after_commit import init_app as deliver_mail_after_commit
        deliver_mail_after_commit(app)
        register_commands(app)


def _end_session_quietly(error=None) -> None:
    """End the request's session. A database that went away mid-request (a restart) has
    already been answered with a 503; its failed rollback must not turn into a second,
    unhandled error after that answer."""
    from sqlalchemy.exc import DBAPIError

    from .extensions import db
    try:
        db.session.remove()
    except DBAPIError as exc:
        logging.getLogger(__name__).warning("session ended with the database away: %s",
                                            exc.orig)
        db.session.registry.clear()  # the next request starts with a new session


# How long a call to a Redis holding the rate limits may take (connect, then answer).
RATELIMIT_REDIS_TIMEOUT = 0.25


def _fail_open_limits(config) -> None:
    """Limits fail open: when their storage is away or silent, a request pays one short
    timeout, a warning is logged, and limits are counted in this process's memory until
    the storage answers again (Flask-Limiter checks back at growing intervals)."""
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)  # any other limiter error: no limit
    scheme = str(config.get("RATELIMIT_STORAGE_URI", "")).partition("://")[0]
    if scheme in ("redis", "rediss", "redis+unix"):
        from redis.backoff import NoBackoff
        from redis.retry import Retry
        # No retries: redis-py's default retries a dead server for seconds per call.
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", {
            "socket_connect_timeout": RATELIMIT_REDIS_TIMEOUT,
            "socket_timeout": RATELIMIT_REDIS_TIMEOUT, "retry": Retry(NoBackoff(), 0)})


def _limit_per_route_only(app: Flask, limiter) -> None:
    """Every limit of the shop sits on its route (`@limiter.limit`), checked when that
    route runs. flask-limiter also checks every request up front, for app-wide default
    limits the shop does not set; that check is taken out, as it costs every read.

    Its after-request hook (rate-limit headers, `deduct_when`) and teardown then have
    nothing to do on a request that met no limit, and are skipped there: the limiter
    keeps its per-request state on the request context, created when a limit is met."""
    check = limiter._check_request_limit
    funcs = app.before_request_funcs.get(None, [])
    if check not in funcs or app.config.get("RATELIMIT_DEFAULT"):
        return
    funcs.remove(check)
    for hooks in (app.after_request_funcs.get(None, []),
                  app.teardown_request_funcs.get(None, [])):
        for n, hook in enumerate(hooks):
            if limiter in (getattr(hook, "__self__", None), *getattr(hook, "args", ())):
                hooks[n] = _when_a_limit_was_met(hook)  # a method, or a partial of one


def _when_a_limit_was_met(hook: Callable) -> Callable:
    from flask.globals import request_ctx

    def run(value=None):
        if hasattr(request_ctx, "_limiter_request_context"):
            return hook(value)
        return value  # the response, untouched (or None, for a teardown)
    return run


API_DESCRIPTION = (
    "Catalogue, content, cart and checkout of the shop. Money is `{amount, currency, "
    "formatted}` with `amount` in minor units. Lists take `limit` and `cursor` and answer "
    "`{items, next_cursor}`. Errors are `{code, status, reason, message, errors}`, where "
    "`reason` is a machine-readable word for what went wrong (`out_of_stock`, "
    "`cart_not_found`, `invalid_fields` ...).")


def create_app(config: dict | None = None) -> Flask:
    """Build the standalone shop: defaults, then the environment, then `config`."""
    instance_path = os.environ.get("STOREFRONT_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    # The standalone shop encodes JSON with orjson; a host app keeps its own provider.
    from .jsonprovider import OrjsonProvider
    app.json = OrjsonProvider(app)
    settings = Settings.from_environment(os.environ, config, instance_path=app.instance_path)
    app.config.update(settings.library_defaults())  # the standalone shop's, over Flask's
    app.config.update(config or {})  # Flask's and the extensions' own keys, as given
    settings.write_config(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Storefront().init_app(app, settings=settings)
    from . import fastreads, security
    fastreads.install(app)
    security.trust_proxies(app)  # outermost: every layer sees the client's address
    return app
