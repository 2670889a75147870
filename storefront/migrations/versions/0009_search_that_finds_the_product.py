"""search that finds the product: a summary field and a vocabulary for close matches

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

- `search_document` gains `summary`, weighed between the title and the body: SQLite's
  FTS5 table `search_fts` is rebuilt with three columns (title, summary, body) and its
  triggers recreated; PostgreSQL's generated `search_vector` is recreated with title
  weight A, summary B, body C.
- `search_word`: every word of the indexed text once, where misspelt queries find their
  close matches. PostgreSQL indexes it with `pg_trgm` (GiST, nearest by trigram distance);
  SQLite keeps the words' trigrams in `search_trigram`.

Run `storefront search reindex` once after upgrading a database that already holds
products or content, to fill the summaries and the vocabulary.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TRGM_SCHEMA = ("SELECT n.nspname FROM pg_extension AS e "
               "JOIN pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")
_TRIGGERS = ('search_document_au', 'search_document_ad', 'search_document_ai')


def _fts(columns: str) -> list[str]:
    """The FTS5 table over `search_document` and its three triggers, for `columns`."""
    new = ", ".join("new." + c for c in columns.split(", "))
    old = ", ".join("old." + c for c in columns.split(", "))
    return [
        f"""CREATE VIRTUAL TABLE search_fts USING fts5(
            {columns}, content='search_document', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
            INSERT INTO search_fts(rowid, {columns}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
            INSERT INTO search_fts(search_fts, rowid, {columns})
            VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
            INSERT INTO search_fts(search_fts, rowid, {columns})
            VALUES ('delete', old.id, {old});
            INSERT INTO search_fts(rowid, {columns}) VALUES (new.id, {new});
        END""",
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


def _vector(weighted: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS ix_search_document_search_vector",
        "ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector",
        f"ALTER TABLE search_document ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({weighted}) STORED",
        "CREATE INDEX ix_search_document_search_vector ON search_document "
        "USING gin (search_vector)",
    ]


def _drop_fts() -> None:
    for trigger in _TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
    op.execute('DROP TABLE IF EXISTS search_fts')


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        _drop_fts()  # before the new column, so no trigger sees a half-changed table
    op.add_column('search_document',
                  sa.Column('summary', sa.Text(), nullable=False, server_default=''))
    op.create_table('search_word',
    sa.Column('word', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_word'))
    )
    op.create_table('search_trigram',
    sa.Column('gram', sa.String(length=12), nullable=False),
    sa.Column('word', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('gram', 'word', name=op.f('pk_search_trigram'))
    )
    if dialect == 'sqlite':
        for statement in _fts("title, summary, body"):
            op.execute(statement)
    elif dialect == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for statement in _vector("setweight(to_tsvector('english', title), 'A') "
                                 "|| setweight(to_tsvector('english', summary), 'B') "
                                 "|| setweight(to_tsvector('english', body), 'C')"):
            op.execute(statement)
        # The extension may live in another schema than this one (it is installed once
        # per database): name its operator class with its schema.
        schema = op.get_bind().execute(sa.text(TRGM_SCHEMA)).scalar_one()
        op.execute(f'CREATE INDEX ix_search_word_trigram ON search_word '
                   f'USING gist (word "{schema}".gist_trgm_ops)')


def downgrade():
    # The pg_trgm extension stays: other schemas in the database may use it.
    dialect = op.get_bind().dialect.name
    op.drop_table('search_trigram')
    op.drop_table('search_word')
    if dialect == 'sqlite':
        _drop_fts()
        op.drop_column('search_document', 'summary')
        for statement in _fts("title, body"):
            op.execute(statement)
    else:
        if dialect == 'postgresql':
            op.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector")
        op.drop_column('search_document', 'summary')
        if dialect == 'postgresql':
            for statement in _vector("setweight(to_tsvector('english', title), 'A') "
                                     "|| setweight(to_tsvector('english', body), 'B')"):
                op.execute(statement)
