"""A cache of rendered public reads, shared by every worker and host through Redis.

Entries are whole answers (a product's JSON, a page's HTML) stored under one
*generation*: a counter in Redis that every commit writing a table the answers are made
from increments. A read fetches the counter and the entry in one round trip and uses the
entry only if it was built under the current generation, so a change made by any worker
on any host is seen by all of them at once.

A rolled-back transaction may still increment: a spare increment costs a rebuild,
never a wrong answer.

The generation is read *before* the database is, and an entry is stored under the
generation read then; an entry built while a commit was landing is therefore already
stale when it is stored and is never served. Only the moment between a commit and its
increment can serve the old answer. Every entry also expires after
`STOREFRONT_CACHE_TTL` seconds, which bounds what a lost increment (Redis down at that
moment, or rows changed outside the shop) can leave behind; `storefront cache clear`
increments by hand.

The counter never goes back: when it is missing (never set, evicted, Redis restarted
without its data) it starts again from the clock in milliseconds, above any value an old
entry could carry.

Without `CACHE_URL` nothing is cached and every read is built afresh. When Redis does not
answer, reads are built afresh too: the cache can make the shop faster, never wrong. Every
call waits at most `STOREFRONT_CACHE_TIMEOUT` seconds (connect and read, no retries), and
after a failure the process leaves Redis alone for `STOREFRONT_CACHE_RETRY_AFTER` seconds, so
a Redis that accepts connections and never answers costs one timeout per back-off, not one
per read. An increment that could not be made is made when Redis answers again.

When links are built from the request (no `PUBLIC_BASE_URL`), answers are kept per scheme
and host (`scoped`): a request with a forged `Host` only ever meets entries built for that
same host, never a page another visitor is served.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event, inspect

from .extensions import db

log = logging.getLogger(__name__)

DIRTY = "storefront_cache_dirty"  # key in Session.info: this transaction wrote page data
# Tables no cached answer is made from; writing them leaves the cache alone. A table not
# listed here (a plugin's, say) counts as page data, so a new table can never go stale.
UNCACHED_TABLES = frozenset({
    "cart", "cart_line", "orders", "order_line", "payment_event", "outbox_message",
    "source_metric", "search_document", "staff_user", "api_token", "moderation_action",
    "product_document",  # stored by reads; what it is built from is followed already
})

@dataclass(frozen=True)
class Entry:
    """A cached answer: its bytes and a tag that changes whenever they do."""

    body: bytes
    tag: str


def _make_entry(body: bytes) -> Entry:
    return Entry(body=body, tag=hashlib.sha1(body, usedforsecurity=False).hexdigest())


def _release() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("storefront")
    except PackageNotFoundError:
        return "unreleased"


class SharedCache:
    """Entries under the current generation, in the Redis at `url` (or nowhere)."""

    def __init__(self, url: str = "", *, prefix: str = "storefront:", ttl: int = 300,
                 timeout: float = 0.25, retry_after: float = 5.0):
        self.prefix = f"{prefix}{_release()}:"  # a new release never reads an old one's
        self.ttl = ttl
        # One generation for every release, so hosts of two releases (during a rolling
        # deploy) still see each other's writes.
        self.generation_key = prefix + "generation"
        self.url = url
        self.timeout = timeout
        self.retry_after = retry_after
        self._client = None
        self._client_lock = threading.Lock()
        # Shared by the process's threads: one thread's timeout spares the others theirs.
        self._down_until = 0.0
        self._owed_increment = False

    @property
    def enabled(self) -> bool:
        """Whether a Redis is configured (without one, every read is built afresh)."""
        return bool(self.url)

    @property
    def client(self):
        """The Redis client, or None without a Redis.

        One client for the process, over redis-py's own connection pool: thread-safe, and
        started afresh by redis-py in a forked worker. Each call connects (or reuses a
        pooled connection) within `timeout`, and is never retried: redis-py's default
        retries a dead server for seconds per call."""
        if not self.url:
            return None
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    self._client = self._connect()
        return self._client

    def _connect(self):
        """A client with short timeouts and no retries, over its own pool."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
        return redis.Redis.from_url(
            self.url, protocol=2, socket_timeout=self.timeout,
            socket_connect_timeout=self.timeout, retry=Retry(NoBackoff(), 0))

    def close(self) -> None:
        """Close the pool's connections (a test's app going away, say)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def fetch(self, key: str, build: Callable[[], bytes], ttl: int | None = None, *,
              store: bool = True) -> Entry:
        """The entry for `key`, built by `build()` and stored (for `ttl` seconds, or the
        cache's own) when missing or stale; with `store` false a missing one is built and
        not kept (see `CacheAdmission`)."""
        if not self._answering():
            return _make_entry(build())
        entry_key = self.prefix + "entry:" + key
        try:
            generation, stored = self.client.mget(self.generation_key, entry_key)
        except Exception:  # noqa: BLE001 - a cache that cannot answer is simply skipped
            self._went_away(f"building {key} afresh")
            return _make_entry(build())
        if generation is None:  # never set, or lost (evicted, Redis restarted): start anew
            self._start_generation()
            return _make_entry(build())
        current = _current(generation, stored)
        if current is not None:
            return current
        entry = _make_entry(build())
        if not store:
            return entry
        try:
            self.client.set(entry_key, b"\n".join((generation, entry.tag.encode(), entry.body)),
                            ex=min(ttl or self.ttl, self.ttl))
        except Exception:  # noqa: BLE001
            self._went_away(f"{key} not stored")
        return entry

    def peek_with(self, key: str, beside: str | None) -> tuple[Entry | None, bytes | None]:
        """The current entry for `key` (None when missing or stale; never builds one) and
        the value kept beside it under `beside` (see `put_beside`), in one round trip;
        (None, None) when Redis does not answer."""
        if not self._answering():
            return None, None
        keys = [self.generation_key, self.prefix + "entry:" + key]
        if beside is not None:
            keys.append(self.prefix + "beside:" + beside + ":" + key)
        try:
            generation, stored, *kept = self.client.mget(keys)
        except Exception:  # noqa: BLE001 - whoever asks builds the answer instead
            self._went_away("answering from the app")
            return None, None
        entry = None if generation is None else _current(generation, stored)
        return entry, (kept[0] if kept else None)

    def put_beside(self, key: str, beside: str, value: bytes) -> None:
        """Keep `value` beside the entry for `key` (for as long as an entry lives). It is not
        tied to a generation: whoever reads it checks that it still fits the entry."""
        if not self._answering():
            return
        try:
            self.client.set(self.prefix + "beside:" + beside + ":" + key, value, ex=self.ttl)
        except Exception:  # noqa: BLE001
            self._went_away(f"{beside} of {key} not stored")

    def invalidate(self) -> bool:
        """Make every entry stale, for every worker on every host; False if Redis failed
        (the increment is then made as soon as Redis answers again)."""
        if not self.url:
            return True
        if time.monotonic() < self._down_until:
            self._owed_increment = True
            return False
        try:
            if self.client.incr(self.generation_key) == 1:  # the counter had been lost
                self._start_generation(replace=True)
        except Exception:  # noqa: BLE001
            self._owed_increment = True
            self._went_away(f"entries may be stale for up to {self.ttl} s", log.error)
            return False
        self._owed_increment = False
        return True

    def _answering(self) -> bool:
        """Whether Redis may be asked now: configured, and not in a back-off after a
        failure. Pays an increment owed from a failed invalidation first."""
        if not self.url or time.monotonic() < self._down_until:
            return False
        return not self._owed_increment or self.invalidate()

    def _went_away(self, consequence: str, report=log.warning) -> None:
        """Note a failure: Redis is left alone for `retry_after` seconds."""
        self._down_until = time.monotonic() + self.retry_after
        report("cache unavailable (%s); not asked again for %s s", consequence,
               self.retry_after, exc_info=True)

    def _start_generation(self, replace: bool = False) -> None:
        """Start the counter at the clock in milliseconds: above any value it had before it
        was lost, so entries stored under an old value can never match again."""
        try:
            self.client.set(self.generation_key, int(time.time() * 1000), nx=not replace)
        except Exception:  # noqa: BLE001
            self._went_away("generation not started")


def _current(generation: bytes, stored: bytes | None) -> Entry | None:
    """The entry in `stored` if it was built under `generation`."""
    if stored is not None:
        held, _, rest = stored.partition(b"\n")
        if held == generation:
            tag, _, body = rest.partition(b"\n")
            return Entry(body=body, tag=tag.decode())
    return None


class CacheAdmission:
    """Which answers a visitor can name freely (a search phrase, a list cursor) may be
    stored in the shared cache, so that a stranger asking for random ones cannot fill it.

    An answer is stored only from the second time it is asked within `window` seconds in
    this process (what people actually ask for repeats; a flood of distinct keys does
    not), and at most `per_window` keys are newly stored per window. Redis thus holds at
    most about `per_window` such answers per worker and window; one already stored is
    still read. The memory of keys asked is bounded too (`remember`, oldest forgotten)."""

    def __init__(self, *, per_window: int = 100, window: float = 60.0, remember: int = 1000):
        self.per_window, self.window, self.remember = per_window, window, remember
        self._lock = threading.Lock()
        self._asked: OrderedDict[str, float] = OrderedDict()  # key -> last asked
        self._kept: OrderedDict[str, float] = OrderedDict()  # key -> when admitted

    def admit(self, key: str) -> bool:
        """Whether the answer for `key` may be read from and stored in the shared cache."""
        now = time.monotonic()
        with self._lock:
            asked = self._asked.pop(key, None)
            self._asked[key] = now
            while len(self._asked) > self.remember:
                self._asked.popitem(last=False)
            self._forget(self._kept, now - self.window)
            if key in self._kept:
                return True
            if asked is None or now - asked > self.window or len(self._kept) >= self.per_window:
                return False
            self._kept[key] = now
            return True

    @staticmethod
    def _forget(entries: OrderedDict, before: float) -> None:
        """Drop entries older than `before` (they are in time order)."""
        while entries and next(iter(entries.values())) < before:
            entries.popitem(last=False)



def scoped(state, key: str, host_url: str = "") -> str:
    """`key` scoped to the plugins an app runs with, since plugins shape answers too (the
    links on a product, say), and to `host_url` when links are built from the request."""
    names = ",".join(sorted(name for name, _ in state.plugins.list_name_plugin()))
    return f"{zlib.crc32(names.encode()):08x}:{host_url}{key}"


def request_host_url() -> str:
    """The scheme and host this request's links are built from, or "" when
    PUBLIC_BASE_URL fixes them (the same answer then serves every host)."""
    if current_app.config["PUBLIC_BASE_URL"] or not has_request_context():
        return ""
    return request.host_url


def fetch(key: str, build: Callable[[], bytes], ttl: int | None = None, *,
          store: bool = True) -> Entry:
    """`key` in the current app's cache."""
    state = current_app.extensions["storefront"]
    return state.cache.fetch(scoped(state, key, request_host_url()), build, ttl, store=store)


# ---------------------------------------------------------------------------
# Following commits: any transaction that writes page data invalidates on commit
# ---------------------------------------------------------------------------

def follow_commits() -> None:
    """Listen to the shop's sessions (`db.session`) so that their commits writing page data
    make the cache stale; a host app's own sessions are left alone. Product documents
    follow the same commits (`catalog.invalidation`)."""
    from .catalog.invalidation import follow_writes
    follow_writes()
    for name, listener in (("after_flush", _note_flush), ("do_orm_execute", _note_statement),
                           ("after_commit", _after_commit)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _feeds_pages(table_name: str | None) -> bool:
    return table_name not in UNCACHED_TABLES


def _note_flush(session, flush_context) -> None:
    if session.info.get(DIRTY):
        return
    # Dirty rows count only when a column really changed, not when a collection did.
    modified = (obj for obj in session.dirty if session.is_modified(obj, include_collections=False))
    for obj in (*session.new, *session.deleted, *modified):
        if _feeds_pages(inspect(obj).mapper.local_table.name):
            session.info[DIRTY] = True
            return


def _note_statement(orm_execute_state) -> None:
    """Statements run through the session (stock UPDATEs, bulk edits, raw SQL) skip the
    flush; any that may write page data counts."""
    if orm_execute_state.is_select:
        return
    statement = orm_execute_state.statement
    table = getattr(statement, "table", None)  # INSERT, UPDATE and DELETE name theirs
    if table is None and str(statement).lstrip()[:6].lower() == "select":
        return
    if _feeds_pages(getattr(table, "name", None)):
        orm_execute_state.session.info[DIRTY] = True


def _after_commit(session) -> None:
    if session.info.pop(DIRTY, False) and has_app_context():
        state = current_app.extensions.get("storefront")
        if state is not None:
            state.cache.invalidate()
