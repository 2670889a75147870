"""The search index table, and the database-only objects that come with it.

Every searchable thing is one `search_document` row, whatever its kind. The migration adds
what only one database understands, which the models cannot describe:

- SQLite: the FTS5 table `search_fts` (an external-content index over `search_document`,
  kept in step by triggers) and the shadow tables FTS5 creates for itself
  (`search_fts_data`, `search_fts_idx`, `search_fts_docsize`, `search_fts_config`).
- PostgreSQL: the generated `tsvector` columns `search_vector` (every field, weighted) and
  `title_vector` (the title alone, for the title tiers of the ranking), their GIN indexes,
  and the `pg_trgm` GiST index `ix_search_word_trigram` over the vocabulary.

`search_word` (and, on SQLite, `search_trigram`) is the vocabulary of indexed words that
misspelt queries are matched against.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, PrimaryKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..timeutil import UTCDateTime

FTS_TABLE = "search_fts"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_search_document_search_vector"
TITLE_VECTOR_COLUMN = "title_vector"
TITLE_VECTOR_INDEX = "ix_search_document_title_vector"
WORD_INDEX = "ix_search_word_trigram"
MAX_WORD = 40  # longer words are not kept in the vocabulary


class SearchEntry(Model):
    """One searchable document: a product, an exercise, an article (or a plugin's kind)."""

    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("type", "key_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    url_path: Mapped[str] = mapped_column(Text)
    # Weighs between the title and the body.
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Found only from this moment (an article scheduled for later); None: at once.
    visible_from: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SearchWord(Model):
    """One word of the indexed text (lower case), for close matches of misspelt queries.

    Words are added as documents are written and only dropped by a full rebuild, so a
    word may outlive its documents; a correction is offered only when it finds something.
    """

    __tablename__ = "search_word"

    word: Mapped[str] = mapped_column(String(MAX_WORD), primary_key=True)


class SearchTrigram(Model):
    """SQLite only: the trigrams of each vocabulary word (PostgreSQL uses `pg_trgm`)."""

    __tablename__ = "search_trigram"
    __table_args__ = (PrimaryKeyConstraint("gram", "word"),)

    gram: Mapped[str] = mapped_column(String(12))
    word: Mapped[str] = mapped_column(String(MAX_WORD))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the full-text objects the models cannot describe alone.

    Autogenerate and schema comparisons would otherwise propose to drop them, because
    they exist in the database but not in the metadata: the FTS5 virtual table and its
    shadow tables on SQLite, the generated `tsvector` columns and their GIN indexes on
    PostgreSQL (see the module docstring). Migrations 0005, 0009 and 0011 create them by
    hand.
    """
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return not (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))
    if type_ == "column":
        return not (name in (VECTOR_COLUMN, TITLE_VECTOR_COLUMN)
                    and obj.table.name == SearchEntry.__tablename__)
    if type_ == "index":
        return name not in (VECTOR_INDEX, TITLE_VECTOR_INDEX, WORD_INDEX)
    return True
