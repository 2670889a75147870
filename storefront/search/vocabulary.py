"""The words of the index, for close matches when a reader misspells a query.

Every word written to the index (lower case, 3 to `MAX_WORD` letters or digits) is kept
once in `search_word`. A misspelt word is matched against it in two steps, both bounded
whatever the size of the catalogue:

1. The database names at most `CANDIDATES` words that share most trigrams with it:
   PostgreSQL with `pg_trgm` (`ORDER BY word <-> :w`, a nearest-neighbour walk of the GiST
   index), SQLite from `search_trigram`, the words' trigrams kept beside them
   (one indexed lookup per trigram of the typed word).
2. Python keeps the candidate with the fewest edits (insertions, deletions, substitutions
   and swaps of two neighbours), if it is close enough for the word's length.

Words are only added as documents are written; `clear_words` (on a full rebuild) starts
the vocabulary again.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import delete, func, select, text

from ..database import is_postgresql, upsert_insert
from .models import MAX_WORD, SearchTrigram, SearchWord

MIN_WORD = 3  # shorter words are neither kept nor corrected
CANDIDATES = 30  # words the database proposes for one misspelt word
BATCH = 500
_TRGM_SCHEMA = text("SELECT n.nspname FROM pg_extension AS e JOIN pg_namespace AS n "
                    "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")
_TRGM_SCHEMAS: dict[str, str] = {}  # database URL -> schema of its `pg_trgm`


def words_of(text: str) -> set[str]:
    """The distinct words of `text` as the vocabulary keeps them."""
    found: set[str] = set()
    current: list[str] = []
    for ch in unicodedata.normalize("NFKC", text) + " ":
        category = unicodedata.category(ch)
        if category[0] in "LN" or (category[0] == "M" and current):
            current.append(ch)
        elif current:
            word = "".join(current).lower()
            if MIN_WORD <= len(word) <= MAX_WORD:
                found.add(word)
            current = []
    return found


def trigrams(word: str) -> set[str]:
    """The word's trigrams, padded as `pg_trgm` pads them (two spaces before, one after)."""
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def add_words(session, texts: Iterable[str]) -> None:
    """Keep every word of `texts` in the vocabulary (and its trigrams on SQLite)."""
    words: set[str] = set()
    for chunk_of_text in texts:
        words |= words_of(chunk_of_text)
    if not words:
        return
    ordered = sorted(words)
    known: set[str] = set()
    for start in range(0, len(ordered), BATCH):
        known.update(session.scalars(select(SearchWord.word).where(
            SearchWord.word.in_(ordered[start:start + BATCH]))))
    new = [word for word in ordered if word not in known]
    postgresql = is_postgresql(session)
    for start in range(0, len(new), BATCH):
        chunk = new[start:start + BATCH]
        session.execute(upsert_insert(session, SearchWord)
                        .values([{"word": word} for word in chunk])
                        .on_conflict_do_nothing())
        if not postgresql:
            grams = [{"gram": gram, "word": word}
                     for word in chunk for gram in sorted(trigrams(word))]
            for offset in range(0, len(grams), BATCH):
                session.execute(upsert_insert(session, SearchTrigram)
                                .values(grams[offset:offset + BATCH])
                                .on_conflict_do_nothing())


def clear_words(session) -> None:
    """Forget every word (a full rebuild writes them again)."""
    session.execute(delete(SearchTrigram))
    session.execute(delete(SearchWord))


def candidates(session, word: str) -> list[str]:
    """At most `CANDIDATES` vocabulary words sharing the most trigrams with `word`."""
    if is_postgresql(session):
        schema = _trgm_schema(session).replace('"', '""')
        return list(session.scalars(text(
            f'SELECT word FROM search_word ORDER BY word OPERATOR("{schema}".<->) :word, '
            f'word LIMIT {CANDIDATES}'), {"word": word}))
    shared = func.count()
    return list(session.scalars(
        select(SearchTrigram.word).where(SearchTrigram.gram.in_(sorted(trigrams(word))))
        .group_by(SearchTrigram.word).order_by(shared.desc(), SearchTrigram.word)
        .limit(CANDIDATES)))


def _trgm_schema(session) -> str:
    """The schema `pg_trgm` lives in, asked once per database (engine), not per word.

    The extension is installed once per database, maybe in a schema not on the search
    path; where it lives is a fact of the installation that no request changes, so every
    worker may keep its own copy."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    schema = _TRGM_SCHEMAS.get(url)
    if schema is None:
        schema = _TRGM_SCHEMAS[url] = session.execute(_TRGM_SCHEMA).scalar_one()
    return schema


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours turning `a` into `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def allowed_edits(word: str) -> int:
    """How far a correction may be: one edit for short words, two from eight letters."""
    return 1 if len(word) < 8 else 2


def correct(session, words: list[str]) -> list[str] | None:
    """`words` with each unknown word replaced by its closest vocabulary word; None when
    nothing changed. A word that starts a vocabulary word is known (searches match
    words by their start); short words and numbers are left alone."""
    corrected = []
    for word in words:
        if len(word) < MIN_WORD + 1 or word.isdigit() or len(word) > MAX_WORD:
            corrected.append(word)
            continue
        near = candidates(session, word)
        if any(candidate.startswith(word) for candidate in near):
            corrected.append(word)
            continue
        scored = sorted((edit_distance(word, candidate), candidate) for candidate in near)
        best = scored[0] if scored else None
        corrected.append(best[1] if best and best[0] <= allowed_edits(word) else word)
    return corrected if corrected != words else None
