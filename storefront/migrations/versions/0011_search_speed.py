"""search at speed: indexes for ranking only the returned page

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

PostgreSQL only: `search_document` gains `title_vector`, the title's own `tsvector`
(generated, so it never disagrees with the title), and a GIN index over it. Searches ask it
which documents name the query in their title (the first ranking tiers) without reading,
let alone ranking, every document that merely mentions the words; see
`storefront.search.services`. SQLite's FTS5 table answers title-only queries already.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("ALTER TABLE search_document ADD COLUMN title_vector tsvector "
               "GENERATED ALWAYS AS (to_tsvector('english', title)) STORED")
    op.execute("CREATE INDEX ix_search_document_title_vector ON search_document "
               "USING gin (title_vector)")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP INDEX IF EXISTS ix_search_document_title_vector")
    op.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS title_vector")
