"""product read models: public product documents built when they change

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

- `product_document`: a product's public detail JSON (stock merged in when read), with
  the version its writes bump and the version, generation and builder (release, plugins,
  link addresses) it was built under.
- `product_document_generation`: one counter bumped by writes the core cannot map to a
  product (plugin tables), which makes every document stale.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'product_document',
        sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('built_version', sa.Integer(), nullable=True),
        sa.Column('generation', sa.BigInteger(), nullable=True),
        sa.Column('builder', sa.String(length=16), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('page', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'],
                                name=op.f('fk_product_document_product_id_product'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_document')),
    )
    op.create_table(
        'product_document_generation',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('generation', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_product_document_generation')),
    )


def downgrade():
    op.drop_table('product_document_generation')
    op.drop_table('product_document')
