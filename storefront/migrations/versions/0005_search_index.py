"""search index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

One `search_document` table on both databases, plus what each database needs for full-text
search (these objects are not in the models; `storefront.search.models.include_object`
keeps schema comparisons from proposing to drop them):

- SQLite: an FTS5 table `search_fts` over `search_document` (external content, Porter
  stemming, diacritics folded), kept in step by three triggers.
- PostgreSQL: a generated `tsvector` column `search_vector` (title weight A, body weight
  B, English stemming) with a GIN index.

The index starts empty: run `storefront search reindex` once after upgrading a database
that already holds products or content (later changes are indexed as they are committed).
Note for later revisions: a batch (copy-and-move) alteration of `search_document` on
SQLite would drop its triggers; recreate them afterwards.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

SQLITE_UPGRADE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, content='search_document', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]

POSTGRES_UPGRADE = [
    """ALTER TABLE search_document ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A')
            || setweight(to_tsvector('english', body), 'B')) STORED""",
    "CREATE INDEX ix_search_document_search_vector ON search_document "
    "USING gin (search_vector)",
]


def upgrade():

    op.create_table('search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('url_path', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
    sa.UniqueConstraint('type', 'key_id', name=op.f('uq_search_document_type'))
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    elif dialect == 'postgresql':
        for statement in POSTGRES_UPGRADE:
            op.execute(statement)


def downgrade():

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('search_document_au', 'search_document_ad', 'search_document_ai'):
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS search_fts')
    elif dialect == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_search_document_search_vector')
    op.drop_table('search_document')
