"""Engine settings that make SQLite behave like the production database where it matters."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

_configured = False


def configure_engine_events(app: Flask) -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection."""
    global _configured
    if _configured:
        return
    event.listen(Engine, "connect", _sqlite_pragmas)
    _configured = True


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
