"""content read models: article and exercise pages built when they change

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

`article.body_html` holds the article's Markdown rendered and sanitised, each shortcode
still a `<p>[[kind:slug]]</p>` placeholder (cards are filled per read, from live rows), and
`body_html_key` the fingerprint of the Markdown it was built from. Existing rows start
empty and are built on their first read.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('article') as batch:
        batch.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch.add_column(sa.Column('body_html_key', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('article') as batch:
        batch.drop_column('body_html_key')
        batch.drop_column('body_html')
