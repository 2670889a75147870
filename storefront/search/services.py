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
from sqlalchemy import Integer, String, bindparam, column, select, text
from sqlalchemy.orm import aliased

from ..catalog.models import Product, Variant
from ..catalog.services import PUBLIC_STATUS
from ..database import is_postgresql
from ..media.models import Image, ProductImage
from ..media.presenters import thumbnail_json
from ..money import Money
from ..textsearch import MAX_QUERY_LENGTH, clean_query
from ..timeutil import UTCDateTime, utcnow
from . import vocabulary
from .index import MARK_END, MARK_START

MAX_TERMS = 10
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
CACHE_TTL = 60  # seconds a phrase's answer is kept: phrases are many, each asked briefly
SNIPPET_WORDS = 24

# The columns of a hit row. Declaring them makes each statement a SELECT to SQLAlchemy
# (and to session hooks that tell reads from writes), not an opaque text.
_HIT_COLUMNS = tuple(column(name, String) for name in ("type", "slug", "title", "url_path",
                                                       "snippet")) + (column("key_id", Integer),)

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
""").bindparams(bindparam("now", type_=UTCDateTime)).columns(*_HIT_COLUMNS)

# PostgreSQL ranks the same tiers, but one tier at a time, each only as far as the page
# still needs: a match is a row the GIN index names, and ranking it means reading its whole
# `search_vector` (`ts_rank`), so "band" (in the title of 8,000 products) must not rank the
# 11,000 documents that mention it. The title tiers ask the small `title_vector` (the title
# alone: `title_vector @@ q` is `search_vector @@ q` with every word limited to weight A);
# each later tier runs only while the earlier ones have not filled the page (the
# `(SELECT count(*) ...) < :limit` conditions are evaluated once, before the tier's scan).
# `ts_headline`, the dearest call, is made for the rows of the page only.
_PG_QUERY = "to_tsquery('english', :query)"
_PG_ANY = "to_tsquery('english', :any_query)"
_PG_VISIBLE = "(d.visible_from IS NULL OR d.visible_from <= :now)"
_PG_RANK = f"ts_rank('{{0.1, 0.2, 0.4, 1.0}}', d.search_vector, {_PG_QUERY}, 1)"


def _pg_tier(tier: int, source: str, where: str, *, by_title_length: bool = True) -> str:
    earlier = " + ".join(f"(SELECT count(*) FROM t{i})" for i in range(1, tier))
    gate = f"{earlier} < :limit AND " if earlier else ""
    if not by_title_length:
        return (f"t{tier} AS (SELECT d.id, {tier} AS tier, NULL::integer AS title_length, "
                f"{_PG_RANK} AS rank FROM {source} WHERE {gate}{where} AND {_PG_VISIBLE} "
                f"ORDER BY rank DESC, d.id LIMIT :limit)")
    # Shorter titles first: only the rows as short as the page's longest title are ranked.
    cut = (f"COALESCE((SELECT length(d.title) FROM {source} WHERE {where} AND {_PG_VISIBLE} "
           f"ORDER BY 1 LIMIT 1 OFFSET :limit - 1), 2147483647)")
    return (f"t{tier} AS (SELECT d.id, {tier} AS tier, length(d.title) AS title_length, "
            f"{_PG_RANK} AS rank FROM {source} WHERE {gate}{where} AND {_PG_VISIBLE} "
            f"AND length(d.title) <= {cut} ORDER BY length(d.title), rank DESC, d.id "
            f"LIMIT :limit)")


_POSTGRES_SEARCH = text(f"""
    WITH {_pg_tier(1, "search_document AS d",
                   f"d.type = 'product' AND d.title_vector @@ {_PG_QUERY}")},
    {_pg_tier(2, "search_document AS d",
              f"d.type <> 'product' AND d.title_vector @@ {_PG_QUERY}")},
    {_pg_tier(3, "search_document AS d",
              f":several AND d.type = 'product' AND d.title_vector @@ {_PG_ANY} "
              f"AND NOT d.title_vector @@ {_PG_QUERY} AND d.search_vector @@ {_PG_QUERY}")},
    {_pg_tier(4, "search_document AS d",
              f"d.search_vector @@ {_PG_QUERY} AND NOT d.title_vector @@ {_PG_QUERY} "
              f"AND NOT (d.type = 'product' AND d.title_vector @@ {_PG_ANY})",
              by_title_length=False)},
    top AS (
        SELECT * FROM t1 UNION ALL SELECT * FROM t2
        UNION ALL SELECT * FROM t3 UNION ALL SELECT * FROM t4
        ORDER BY tier, title_length, rank DESC, id
        LIMIT :limit)
    SELECT d.type, d.key_id, d.slug, d.title, d.url_path,
           ts_headline('english', d.body, {_PG_QUERY}, :options) AS snippet
    FROM top JOIN search_document AS d ON d.id = top.id
    ORDER BY top.tier, top.title_length, top.rank DESC, top.id
""").bindparams(bindparam("now", type_=UTCDateTime)).columns(*_HIT_COLUMNS)

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
            "query": tsquery(words), "any_query": tsquery(words, join=" | "),
            "several": len(words) > 1, "limit": limit, "options": _HEADLINE_OPTIONS,
            "now": utcnow()}).all()
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
    """Price, availability and thumbnail of the products `ids`, in one query for all.

    Plain rows, not ORM objects: one row per offered variant (or one for a product with
    none), each carrying the product's first gallery picture, which is all a hit shows."""
    if not ids:
        return {}
    entry = aliased(ProductImage)
    first_entry = select(entry.id).where(entry.product_id == Product.id) \
        .order_by(entry.position, entry.id).limit(1).correlate(Product).scalar_subquery()
    rows = session.execute(
        select(Product.id, Variant.price_amount, Variant.currency, Variant.stock,
               Image.key, Image.alt, Image.renditions)
        .outerjoin(Variant, (Variant.product_id == Product.id) & Variant.active)
        .outerjoin(ProductImage, ProductImage.id == first_entry)
        .outerjoin(Image, Image.id == ProductImage.image_id)
        .where(Product.id.in_(ids), Product.status == PUBLIC_STATUS)
        .order_by(Product.id, Variant.position, Variant.id))
    extras: dict[int, dict] = {}
    for row in rows:
        extra = extras.get(row.id)
        if extra is None:
            picture = None if row.key is None else Image(
                key=row.key, alt=row.alt, renditions=row.renditions)
            extra = extras[row.id] = {"price_from": None, "in_stock": False,
                                      "image": thumbnail_json(picture)}
        if row.price_amount is None:  # no variant on offer
            continue
        cheapest = extra["price_from"]
        if cheapest is None or row.price_amount < cheapest.amount:
            extra["price_from"] = Money(row.price_amount, row.currency)
        extra["in_stock"] = extra["in_stock"] or row.stock > 0
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
