"""Keeping the search index in step with the rows it is built from.

Documents come from `search_documents(kind, ids)`: the core answers for products itself,
plugins (content) for their own kinds. Which rows feed which kind comes from
`search_sources()`, so the core learns that a changed `exercise` row means "refresh the
exercise document with that id" without knowing what an exercise is.

After every flush the changed rows are noted on the session; just before the session
commits, the documents they feed are rebuilt and written to `search_document` in the same
transaction, so the index never shows what was rolled back and never misses what was
committed. Statement-level `UPDATE`/`DELETE` (which bypass the session's unit of work) are
not seen; the shop uses them only for stock, which is not indexed. `rebuild()` (the
`storefront search reindex` command) starts from scratch.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping

from flask import current_app, has_app_context
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm import selectinload

from plugins.types import SearchDocument, SearchSource

from ..catalog.models import Product
from ..database import upsert_insert
from ..extensions import db
from ..urls import PAGE_PATHS
from .models import SearchEntry
from .vocabulary import add_words, clear_words

# The core's own kind: a product document is fed by its product row and its variants.
CORE_SOURCES = (SearchSource(kind="product", table="product"),
                SearchSource(kind="product", table="variant", key="product_id"))
PENDING = "storefront_search_pending"  # key in Session.info: {(kind, id), ...}
BATCH = 500  # ids per hook call and per statement
MAX_BODY = 100_000  # characters of body text kept per document
# Snippet markers (private-use characters); removed from indexed text so only the
# database's own highlights can produce them.
MARK_START, MARK_END = "\ue000", "\ue001"

# Control characters (NUL is refused by PostgreSQL), lone surrogates, private use.
_DROPPED = {"Cc", "Cs", "Co"}

# ---------------------------------------------------------------------------
# Where documents come from
# ---------------------------------------------------------------------------

def sources(plugins) -> list[SearchSource]:
    """Which tables feed which kind of document: the core's, then every plugin's."""
    found = list(CORE_SOURCES)
    for contributed in plugins.hook.search_sources():
        found.extend(contributed or ())
    return found


def kinds(plugins) -> list[str]:
    """Every kind of document in the index, the core's first, each once."""
    return list(dict.fromkeys(source.kind for source in sources(plugins)))


def product_documents(session, ids: Iterable[int] | None) -> list[SearchDocument]:
    """Active products as documents: name, summary, description, and each offered
    variant's name, resistance and option values. A product that is not active has no
    document, so publishing adds one and archiving removes it, in the same commit."""
    stmt = select(Product).where(Product.status == "active") \
        .options(selectinload(Product.variants)).order_by(Product.id)
    if ids is not None:
        stmt = stmt.where(Product.id.in_(list(ids)))
    documents = []
    for product in session.scalars(stmt):
        variants = [" ".join(dict.fromkeys([v.name, v.resistance, *(v.options or {}).values()]))
                    .strip() for v in product.variants if v.active]
        documents.append(SearchDocument(
            type="product", key_id=product.id, slug=product.slug, title=product.name,
            url_path=PAGE_PATHS["product"].format(slug=product.slug),
            summary=product.summary or "",
            body="\n".join([product.summary or "", product.description, *variants]),
            updated_at=product.updated_at))
    return documents


def documents(session, plugins, kind: str, ids: list[int] | None) -> list[SearchDocument]:
    """The documents of `kind` for `ids` (all of them when None), from the core or plugins."""
    if kind == "product":
        found = product_documents(session, ids)
    else:
        found = [doc for contributed in plugins.hook.search_documents(kind=kind, ids=ids)
                 for doc in (contributed or ())]
    wanted = None if ids is None else set(ids)
    return [doc for doc in found
            if doc.type == kind and (wanted is None or doc.key_id in wanted)]


# ---------------------------------------------------------------------------
# Writing the index
# ---------------------------------------------------------------------------

def _clean(text: str | None, limit: int | None = None) -> str:
    """Text as the index keeps it: no control characters, no snippet markers."""
    text = (text or "")[:limit]
    return "".join(" " if unicodedata.category(ch) in _DROPPED and ch not in "\n\t" else ch
                   for ch in text)


def _row(doc: SearchDocument) -> dict:
    return {"type": doc.type, "key_id": int(doc.key_id), "slug": _clean(doc.slug),
            "title": _clean(doc.title), "url_path": _clean(doc.url_path),
            "summary": " ".join(_clean(doc.summary, MAX_BODY).split()),
            "body": " ".join(_clean(doc.body, MAX_BODY).split()),
            "updated_at": doc.updated_at, "visible_from": doc.visible_from}


def _upsert(session, docs: list[SearchDocument]) -> None:
    """Insert or replace documents by (type, key_id)."""
    rows = {(row["type"], row["key_id"]): row for row in map(_row, docs)}
    if not rows:
        return
    ordered = [rows[key] for key in sorted(rows)]  # one lock order for concurrent writers
    for start in range(0, len(ordered), BATCH):
        stmt = upsert_insert(session, SearchEntry).values(ordered[start:start + BATCH])
        session.execute(stmt.on_conflict_do_update(
            index_elements=["type", "key_id"],
            set_={name: stmt.excluded[name]
                  for name in ("slug", "title", "url_path", "summary", "body",
                               "updated_at", "visible_from")}))
    add_words(session, (f"{row['title']} {row['summary']} {row['body']}" for row in ordered))


def refresh(session, plugins, changed: Mapping[str, Iterable[int]]) -> None:
    """Rewrite the documents of `changed` ({kind: ids}); ids without a document leave."""
    for kind in sorted(changed):
        ids = sorted(set(changed[kind]))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            docs = documents(session, plugins, kind, chunk)
            _upsert(session, docs)
            gone = set(chunk) - {doc.key_id for doc in docs}
            if gone:
                session.execute(delete(SearchEntry).where(
                    SearchEntry.type == kind, SearchEntry.key_id.in_(sorted(gone))))


def rebuild(session, plugins) -> dict[str, int]:
    """Empty the index and fill it with every document of every kind; the caller commits.

    Returns the number of documents written per kind, the core's kind first.
    """
    session.flush()
    session.info.pop(PENDING, None)
    session.execute(delete(SearchEntry))
    clear_words(session)
    counts = {}
    for kind in kinds(plugins):
        docs = documents(session, plugins, kind, None)
        _upsert(session, docs)
        counts[kind] = len({doc.key_id for doc in docs})
    session.info.pop(PENDING, None)  # reading may have flushed; everything is fresh now
    return counts


# ---------------------------------------------------------------------------
# Following changes: session events
# ---------------------------------------------------------------------------

def follow_changes() -> None:
    """Listen to the shop's sessions (`db.session`, not every `Session`) so every commit
    refreshes the documents it touched; a host app's own sessions are not scanned."""
    for name, listener in (("after_flush", _note_changes),
                           ("before_commit", _refresh_before_commit)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _plugins():
    if not has_app_context():
        return None
    state = current_app.extensions.get("storefront")
    return state.plugins if state is not None else None


def _note_changes(session, flush_context) -> None:
    """After a flush: remember (kind, id) for every changed row that feeds a document."""
    plugins = _plugins()
    if plugins is None:
        return
    by_table = defaultdict(list)
    for source in sources(plugins):
        by_table[source.table].append(source)
    pending = session.info.setdefault(PENDING, set())
    # Dirty rows count only when a value really changed (seeding again sets the same ones).
    modified = (obj for obj in session.dirty
                if inspect(obj).mapper.local_table.name in by_table
                and session.is_modified(obj, include_collections=False))
    for obj in (*session.new, *session.deleted, *modified):
        state = inspect(obj)
        for source in by_table.get(state.mapper.local_table.name, ()):
            attr = state.attrs[source.key]
            history = attr.history  # never loads anything
            values = {attr.loaded_value, *history.added, *history.deleted,
                      *history.unchanged}
            pending.update((source.kind, value) for value in values
                           if isinstance(value, int) and not isinstance(value, bool))


def _refresh_before_commit(session) -> None:
    """Just before commit: write the documents of everything noted since the last commit."""
    plugins = _plugins()
    if plugins is None:
        return
    for _ in range(10):  # reading documents may flush again, noting more changes
        if session.new or session.dirty or session.deleted:
            session.flush()
        pending = session.info.pop(PENDING, None)
        if not pending:
            return
        changed: dict[str, set[int]] = defaultdict(set)
        for kind, key in pending:
            changed[kind].add(key)
        refresh(session, plugins, changed)
