"""staff run the catalogue: product status, kinds and options, images, editors, versions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

- `product` gains `kind` (the noun its pages use), `summary`, `options` (option names),
  `status` (draft, active, archived) and `version` (for `ETag`/`If-Match`). Products
  whose variants carry a resistance become bands with the option "Resistance", each
  variant's name its value; every other product keeps its words as a plain "product".
- `variant` gains `options` (name -> value), `compare_at_amount`, `active` and `version`.
- `media_blob`: the bytes of every stored picture, original and renditions, by content
  hash, in the shop's database so that every host can serve them.
- `image`: one uploaded picture (alt text, size, renditions); `product_image` orders a
  product's gallery; `exercise.image_id` gives an exercise its picture.
- `exercise` gains `status` and `version`; `article` gains `version` and the status
  `scheduled`.
- `search_document` gains `visible_from`: a document is found only once it has passed
  (an article scheduled for later).
- `staff_user` may be an `editor`; `staff_invite` holds one-time invitation links.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_staff_user_known_role'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_staff_user_known_role'), "role IN ('moderator', 'editor', 'admin')")
    op.create_table(
        'staff_invite',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('moderator', 'editor', 'admin')",
                           name=op.f('ck_staff_invite_known_role')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invite')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_staff_invite_token_hash')),
    )

    op.create_table(
        'media_blob',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_media_blob')),
    )
    op.create_table(
        'image',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('alt', sa.String(length=300), nullable=False),
        sa.Column('renditions', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_image')),
    )
    op.create_table(
        'product_image',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('image_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'],
                                name=op.f('fk_product_image_product_id_product'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['image_id'], ['image.id'],
                                name=op.f('fk_product_image_image_id_image'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_product_image')),
    )
    op.create_index(op.f('ix_product_image_product_id'), 'product_image', ['product_id'])

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=False,
                                      server_default='product'))
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('options', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False,
                                      server_default='active'))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.create_check_constraint(batch_op.f('ck_product_known_status'),
                                         "status IN ('draft', 'active', 'archived')")
        batch_op.create_index(batch_op.f('ix_product_status'), ['status'])
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('options', sa.JSON(), nullable=False,
                                      server_default='{}'))
        batch_op.add_column(sa.Column('compare_at_amount', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.create_check_constraint(
            batch_op.f('ck_variant_compare_at_not_negative'),
            "compare_at_amount IS NULL OR compare_at_amount >= 0")
    _options_from_resistance()

    with op.batch_alter_table('exercise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False,
                                      server_default='published'))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('image_id', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_exercise_known_status'),
                                         "status IN ('draft', 'published', 'archived')")
        batch_op.create_foreign_key(batch_op.f('fk_exercise_image_id_image'), 'image',
                                    ['image_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.drop_constraint(batch_op.f('ck_article_known_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_article_known_status'),
            "status IN ('draft', 'published', 'scheduled')")
    # A scheduled article is indexed before its time and found only once it has come:
    # searches compare `visible_from` with the clock. A plain ADD COLUMN, because
    # rebuilding the table (batch mode on SQLite) would drop its full-text triggers.
    op.add_column('search_document',
                  sa.Column('visible_from', sa.DateTime(timezone=True), nullable=True))


def _options_from_resistance():
    """Bands keep their levels as the option "Resistance"; nothing else changes words."""
    bind = op.get_bind()
    product = sa.table('product', sa.column('id', sa.Integer()), sa.column('kind'),
                       sa.column('options', sa.JSON()))
    variant = sa.table('variant', sa.column('id', sa.Integer()),
                       sa.column('product_id', sa.Integer()), sa.column('name'),
                       sa.column('resistance'), sa.column('options', sa.JSON()))
    rows = bind.execute(sa.select(variant.c.id, variant.c.product_id, variant.c.name,
                                  variant.c.resistance)).all()
    bands = {row.product_id for row in rows if (row.resistance or '').strip()}
    for product_id in bands:
        bind.execute(product.update().where(product.c.id == product_id)
                     .values(kind='band', options=["Resistance"]))
    for row in rows:
        if row.product_id in bands:
            bind.execute(variant.update().where(variant.c.id == row.id)
                         .values(options={"Resistance": row.name}))


def downgrade():
    op.drop_column('search_document', 'visible_from')
    op.execute("UPDATE article SET status = 'draft' WHERE status = 'scheduled'")
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_article_known_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_article_known_status'),
                                         "status IN ('draft', 'published')")
        batch_op.drop_column('version')
    with op.batch_alter_table('exercise', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_exercise_image_id_image'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_exercise_known_status'), type_='check')
        for name in ('image_id', 'version', 'status'):
            batch_op.drop_column(name)
    with op.batch_alter_table('variant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_variant_compare_at_not_negative'),
                                 type_='check')
        for name in ('version', 'active', 'compare_at_amount', 'options'):
            batch_op.drop_column(name)
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_status'))
        batch_op.drop_constraint(batch_op.f('ck_product_known_status'), type_='check')
        for name in ('version', 'status', 'options', 'summary', 'kind'):
            batch_op.drop_column(name)
    op.drop_index(op.f('ix_product_image_product_id'), table_name='product_image')
    op.drop_table('product_image')
    op.drop_table('image')
    op.drop_table('media_blob')
    op.drop_table('staff_invite')
    op.execute("UPDATE staff_user SET role = 'moderator' WHERE role = 'editor'")
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_staff_user_known_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_staff_user_known_role'),
                                         "role IN ('moderator', 'admin')")
