"""Engine settings that make SQLite behave like the production database where it matters."""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from .extensions import db


def configure_engine_events(app: Flask) -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection of the
    shop's own engines (a host app's engines keep their own settings)."""
    with app.app_context():
        for engine in db.engines.values():
            if (engine.dialect.name == "sqlite"
                    and not event.contains(engine, "connect", _sqlite_pragmas)):
                event.listen(engine, "connect", _sqlite_pragmas)
                event.listen(engine, "savepoint", _begin_before_savepoint)


def _begin_before_savepoint(conn, name) -> None:
    """Open the transaction before a savepoint that would otherwise open it.

    Python's sqlite3 module begins a transaction only before a write, and SQLite lets a
    SAVEPOINT begin one by itself, which its RELEASE then commits: a savepoint taken
    before the first write of a transaction would commit that transaction's work early.
    A BEGIN first keeps the savepoint inside the transaction, which commits or rolls back
    as a whole. (Reads still run outside transactions until the first write, as before.)"""
    dbapi_connection = conn.connection.dbapi_connection
    if getattr(dbapi_connection, "in_transaction", True):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("BEGIN")
    finally:
        cursor.close()


# A pooled connection that sat idle this long is checked before use; one in steady use is
# not (a database restart then fails the requests in flight, and the pool starts afresh).
PING_AFTER_IDLE_SECONDS = 1.0


def ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection with a round trip before handing it out, but only when it
    has been idle for `PING_AFTER_IDLE_SECONDS`.

    `pool_pre_ping` pings on every checkout, a round trip before every request's first
    statement. A connection that served a request a moment ago is as good as a ping
    would prove; one that was idle may have been cut by a restart, a failover or a
    firewall, and is then replaced before the request sees it. A connection that breaks
    while in steady use fails its request (the API answers 503), and SQLAlchemy then
    replaces every connection of the pool."""
    if engine.dialect.name == "sqlite":
        return  # a file, not a server: nothing to lose between uses

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError() from error  # the pool connects afresh
            raise


def _sqlite_pragmas(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def upsert_insert(session, model):
    """An INSERT for `model` that takes `.on_conflict_do_update(...)` on either database."""
    dialect = postgresql if is_postgresql(session) else sqlite
    return dialect.insert(model)


def is_postgresql(session) -> bool:
    """Whether the session talks to PostgreSQL (for the few places that differ)."""
    return session.get_bind().dialect.name == "postgresql"
