"""Answering searches: the reader's words in, ranked documents with marked snippets out.

The reader's text never reaches the database's query syntax. It is cut into words
(letters and digits in any script) here, and each word becomes a quoted prefix term:
`"bri"*` for SQLite FTS5, `'bri':*` for PostgreSQL's `to_tsquery`. All words must match.
Both databases stem English words (`bridges` finds `bridge`), rank titles above body
text (FTS5 `bm25`, PostgreSQL `ts_rank`) and cut a snippet around the matches (FTS5
`snippet()`, PostgreSQL `ts_headline`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import escape
from sqlalchemy import bindparam, text

from ..database import is_postgresql
from ..textsearch import MAX_QUERY_LENGTH, clean_query
from ..timeutil import UTCDateTime, utcnow
from .index import MARK_END, MARK_START

MAX_TERMS = 10
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
SNIPPET_WORDS = 24

# Documents whose title holds every word come first; then the database's own rank:
# FTS5's bm25 with title matches weighing ten times body matches (lower is better there),
# PostgreSQL's ts_rank with A (title) 1.0 and B (body) 0.4, normalised by document length.
_SQLITE_SEARCH = text(f"""
    SELECT d.type, d.slug, d.title, d.url_path,
           snippet(search_fts, 1, :start, :stop, '…', {SNIPPET_WORDS}) AS snippet
    FROM search_fts JOIN search_document AS d ON d.id = search_fts.rowid
    WHERE search_fts MATCH :query AND (d.visible_from IS NULL OR d.visible_from <= :now)
    ORDER BY d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :title_query) DESC,
             bm25(search_fts, 10.0, 1.0), d.id
    LIMIT :limit
""").bindparams(bindparam("now", type_=UTCDateTime))

_POSTGRES_SEARCH = text("""
    WITH q AS (SELECT to_tsquery('english', :query) AS query,
                      to_tsquery('english', :title_query) AS title_query),
    top AS (
        SELECT d.id, d.type, d.slug, d.title, d.url_path, d.body,
               d.search_vector @@ q.title_query AS in_title,
               ts_rank('{0.1, 0.2, 0.4, 1.0}', d.search_vector, q.query, 1) AS rank
        FROM search_document AS d, q
        WHERE d.search_vector @@ q.query
          AND (d.visible_from IS NULL OR d.visible_from <= :now)
        ORDER BY in_title DESC, rank DESC, d.id
        LIMIT :limit)
    SELECT top.type, top.slug, top.title, top.url_path,
           ts_headline('english', top.body, q.query, :options) AS snippet
    FROM top, q
    ORDER BY top.in_title DESC, top.rank DESC, top.id
""").bindparams(bindparam("now", type_=UTCDateTime))

_HEADLINE_OPTIONS = (f'StartSel="{MARK_START}", StopSel="{MARK_END}", '
                     f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, ShortWord=3, "
                     'MaxFragments=2, FragmentDelimiter=" … "')


@dataclass(frozen=True)
class SearchHit:
    """One result: `snippet` is HTML, with the matched words in `<mark>` and all else escaped."""

    type: str
    slug: str
    title: str
    url: str
    snippet: str


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


def tsquery(words: list[str], *, weights: str = "") -> str:
    """A `to_tsquery` expression: every word as a quoted prefix lexeme, all required.

    `weights` limits matches to lexemes of those weights (`A` is the title).
    """
    quoted = ("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" + weights
              for word in words)
    return " & ".join(quoted)


def highlight(snippet: str | None) -> str:
    """The database's snippet as safe HTML: escaped, with its markers turned into `<mark>`."""
    html = str(escape(snippet or ""))
    return html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def search(session, query: str, *, site_url: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """The best `limit` documents for `query`, best first; none when it has no words.

    `site_url` is the base address of the pages (`Settings.site_url`) the hits link to."""
    words = terms(query)
    if not words:
        return []
    limit = max(1, min(int(limit), MAX_LIMIT))
    if is_postgresql(session):
        rows = session.execute(_POSTGRES_SEARCH, {
            "query": tsquery(words), "title_query": tsquery(words, weights="A"),
            "limit": limit, "options": _HEADLINE_OPTIONS, "now": utcnow()})
    else:
        rows = session.execute(_SQLITE_SEARCH, {
            "query": fts5_query(words), "title_query": fts5_title_query(words),
            "limit": limit, "start": MARK_START, "stop": MARK_END, "now": utcnow()})
    return [SearchHit(type=row.type, slug=row.slug, title=row.title,
                      url=site_url + row.url_path, snippet=highlight(row.snippet))
            for row in rows]
