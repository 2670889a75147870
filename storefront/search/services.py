"""Answering searches: the reader's words in, ranked documents with marked snippets out.

The reader's text never reaches the database's query syntax. It is cut into words
(letters and digits in any script) here, and each word becomes a quoted prefix term:
`"bri"*` for SQLite FTS5, `'bri':*` for PostgreSQL's `to_tsquery`. All words must match.
Both databases stem English words (`bridges` finds `bridge`), rank titles above summaries
above body text (FTS5 `bm25`, PostgreSQL `ts_rank`; products named by the query first, see
the ranking notes below) and cut a snippet around the matches (FTS5 `snippet()`,
PostgreSQL `ts_headline`). Product hits gain price, stock and thumbnail, read in one query
for all of them. `find` adds close spellings (`vocabulary`) when nothing matches as typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import escape
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import joinedload

from ..catalog.models import Product
from ..catalog.services import PUBLIC_STATUS, offered_variants, price_from
from ..database import is_postgresql
from ..media.presenters import thumbnail_json
from ..media.services import gallery
from ..money import Money
from ..textsearch import MAX_QUERY_LENGTH, clean_query
from ..timeutil import UTCDateTime, utcnow
from . import vocabulary
from .index import MARK_END, MARK_START

MAX_TERMS = 10
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
SNIPPET_WORDS = 24

# Ranking, in tiers, then the database's own rank:
# 1. documents whose title holds every word;
# 2. products whose title holds any of the words (the query names a product: "resistance
#    band" puts the Better Band before the exercises that mention bands);
# 3. within those two tiers, shorter titles first (more of the title is what was typed:
#    "band" finds "Better Band" before "Better Band Trio");
# 4. the database's rank with title over summary over body: FTS5's bm25 with weights
#    10, 4 and 1 (lower is better there), PostgreSQL's ts_rank with A (title) 1.0,
#    B (summary) 0.4 and C (body) 0.2, normalised by document length.
_SQLITE_SEARCH = text(f"""
    WITH found AS (
        SELECT d.id, d.type, d.key_id, d.slug, d.title, d.url_path,
               snippet(search_fts, 2, :start, :stop, '…', {SNIPPET_WORDS}) AS snippet,
               bm25(search_fts, 10.0, 4.0, 1.0) AS rank,
               d.id IN (SELECT rowid FROM search_fts
                        WHERE search_fts MATCH :title_query) AS in_title,
               d.type = 'product' AND d.id IN (SELECT rowid FROM search_fts
                        WHERE search_fts MATCH :any_title_query) AS boosted
        FROM search_fts JOIN search_document AS d ON d.id = search_fts.rowid
        WHERE search_fts MATCH :query
          AND (d.visible_from IS NULL OR d.visible_from <= :now))
    SELECT type, key_id, slug, title, url_path, snippet FROM found
    ORDER BY in_title DESC, boosted DESC,
             CASE WHEN in_title OR boosted THEN length(title) END, rank, id
    LIMIT :limit
""").bindparams(bindparam("now", type_=UTCDateTime))

_POSTGRES_SEARCH = text("""
    WITH q AS (SELECT to_tsquery('english', :query) AS query,
                      to_tsquery('english', :title_query) AS title_query,
                      to_tsquery('english', :any_title_query) AS any_title_query),
    found AS (
        SELECT d.id, d.type, d.key_id, d.slug, d.title, d.url_path, d.body,
               d.search_vector @@ q.title_query AS in_title,
               d.type = 'product' AND d.search_vector @@ q.any_title_query AS boosted,
               ts_rank('{0.1, 0.2, 0.4, 1.0}', d.search_vector, q.query, 1) AS rank
        FROM search_document AS d, q
        WHERE d.search_vector @@ q.query
          AND (d.visible_from IS NULL OR d.visible_from <= :now)),
    top AS (
        SELECT * FROM found
        ORDER BY in_title DESC, boosted DESC,
                 CASE WHEN in_title OR boosted THEN length(title) END, rank DESC, id
        LIMIT :limit)
    SELECT top.type, top.key_id, top.slug, top.title, top.url_path,
           ts_headline('english', top.body, q.query, :options) AS snippet
    FROM top, q
    ORDER BY top.in_title DESC, top.boosted DESC,
             CASE WHEN top.in_title OR top.boosted THEN length(top.title) END,
             top.rank DESC, top.id
""").bindparams(bindparam("now", type_=UTCDateTime))

_HEADLINE_OPTIONS = (f'StartSel="{MARK_START}", StopSel="{MARK_END}", '
                     f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, ShortWord=3, "
                     'MaxFragments=2, FragmentDelimiter=" … "')


@dataclass(frozen=True)
class SearchHit:
    """One result: `snippet` is HTML, with the matched words in `<mark>` and all else escaped.

    Products also carry `price_from` (None when nothing is offered), `in_stock` and
    `image` (`{url, alt}` of the first gallery picture's smallest rendition, or None)."""

    type: str
    slug: str
    title: str
    url: str
    snippet: str
    price_from: Money | None = None
    in_stock: bool | None = None
    image: dict | None = None


@dataclass(frozen=True)
class SearchResults:
    """The hits of a search, best first, and the corrected query they answer when the
    typed one found nothing (`did_you_mean`), else None."""

    hits: list[SearchHit]
    did_you_mean: str | None = None


def terms(query: str | None) -> list[str]:
    """The searchable words of a query: letters and digits (with their combining marks).

    Everything else (quotes, operators, punctuation, emoji, control characters) only
    separates words. At most `MAX_TERMS` distinct words, lower-cased, from the first
    `MAX_QUERY_LENGTH` characters.
    """
    text_ = unicodedata.normalize("NFKC", clean_query(query))[:MAX_QUERY_LENGTH]
    words: list[str] = []
    current: list[str] = []
    for ch in text_ + " ":
        category = unicodedata.category(ch)
        if category[0] in "LN" or (category[0] == "M" and current):
            current.append(ch)
        elif current:
            words.append("".join(current).lower())
            current = []
    return list(dict.fromkeys(words))[:MAX_TERMS]


def fts5_query(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word as a quoted prefix term, all required."""
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def fts5_title_query(words: list[str]) -> str:
    """The same expression limited to the title column."""
    return "title : (" + fts5_query(words) + ")"


def fts5_any_title_query(words: list[str]) -> str:
    """Any of the words (as prefixes) in the title column."""
    return "title : (" + " OR ".join(fts5_query([word]) for word in words) + ")"


def tsquery(words: list[str], *, weights: str = "", join: str = " & ") -> str:
    """A `to_tsquery` expression: every word as a quoted prefix lexeme, all required
    (`join=" | "`: any of them).

    `weights` limits matches to lexemes of those weights (`A` is the title).
    """
    quoted = ("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" + weights
              for word in words)
    return join.join(quoted)


def highlight(snippet: str | None) -> str:
    """The database's snippet as safe HTML: escaped, with its markers turned into `<mark>`."""
    html = str(escape(snippet or ""))
    return html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def _ranked(session, words: list[str], limit: int, site_url: str) -> list[SearchHit]:
    if is_postgresql(session):
        rows = session.execute(_POSTGRES_SEARCH, {
            "query": tsquery(words), "title_query": tsquery(words, weights="A"),
            "any_title_query": tsquery(words, weights="A", join=" | "),
            "limit": limit, "options": _HEADLINE_OPTIONS, "now": utcnow()}).all()
    else:
        rows = session.execute(_SQLITE_SEARCH, {
            "query": fts5_query(words), "title_query": fts5_title_query(words),
            "any_title_query": fts5_any_title_query(words),
            "limit": limit, "start": MARK_START, "stop": MARK_END, "now": utcnow()}).all()
    extras = product_extras(session, [row.key_id for row in rows if row.type == "product"])
    return [SearchHit(type=row.type, slug=row.slug, title=row.title,
                      url=site_url + row.url_path, snippet=highlight(row.snippet),
                      **(extras.get(row.key_id, {}) if row.type == "product" else {}))
            for row in rows]


def product_extras(session, ids: list[int]) -> dict[int, dict]:
    """Price, availability and thumbnail of the products `ids`, in one query for all."""
    if not ids:
        return {}
    products = session.scalars(
        select(Product).where(Product.id.in_(ids), Product.status == PUBLIC_STATUS)
        .options(joinedload(Product.variants), joinedload(Product.gallery))).unique()
    extras = {}
    for product in products:
        pictures = gallery(product)
        extras[product.id] = {
            "price_from": price_from(product),
            "in_stock": any(v.stock > 0 for v in offered_variants(product)),
            "image": thumbnail_json(pictures[0]) if pictures else None}
    return extras


def search(session, query: str, *, site_url: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """The best `limit` documents for `query`, best first; none when it has no words.

    `site_url` is the base address of the pages (`Settings.site_url`) the hits link to."""
    words = terms(query)
    if not words:
        return []
    return _ranked(session, words, max(1, min(int(limit), MAX_LIMIT)), site_url)


def find(session, query: str, *, site_url: str, limit: int = DEFAULT_LIMIT) -> SearchResults:
    """`search`, and when the query finds nothing, the results of its closest spelling
    from the index's vocabulary (see `vocabulary`), with that spelling as `did_you_mean`."""
    words = terms(query)
    if not words:
        return SearchResults([])
    limit = max(1, min(int(limit), MAX_LIMIT))
    hits = _ranked(session, words, limit, site_url)
    if hits:
        return SearchResults(hits)
    corrected = vocabulary.correct(session, words)
    if corrected is None:
        return SearchResults([])
    hits = _ranked(session, corrected, limit, site_url)
    return SearchResults(hits, " ".join(corrected)) if hits else SearchResults([])
