"""content that sells: journeys, campaign discount codes, the newsletter

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

- `cart.journey` and `orders.journey`: the content and campaign touches of the visit that
  led to the cart and to the order; `order_touch`: the first and assisted touches each
  order credits in the attribution report (the last touch stays on its lines).
- `discount_code` and `cart.discount_code`: campaign codes with guarded use counts.
- `newsletter_subscriber`: double opt-in sign-ups.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'discount_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('percent_off', sa.Integer(), nullable=True),
        sa.Column('amount_off', sa.BigInteger(), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('min_subtotal', sa.BigInteger(), nullable=True),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('max_uses', sa.Integer(), nullable=True),
        sa.Column('max_uses_per_email', sa.Integer(), nullable=True),
        sa.Column('used', sa.Integer(), server_default='0', nullable=False),
        sa.Column('source', sa.String(length=200), nullable=True),
        sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(percent_off IS NULL) <> (amount_off IS NULL)',
                           name=op.f('ck_discount_code_one_kind')),
        sa.CheckConstraint('percent_off IS NULL OR percent_off BETWEEN 1 AND 100',
                           name=op.f('ck_discount_code_percent_range')),
        sa.CheckConstraint('amount_off IS NULL OR amount_off > 0',
                           name=op.f('ck_discount_code_amount_positive')),
        sa.CheckConstraint('used >= 0', name=op.f('ck_discount_code_used_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discount_code')),
        sa.UniqueConstraint('code', name=op.f('uq_discount_code_code')),
    )
    op.create_table(
        'order_touch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.CheckConstraint("role IN ('first', 'assisted')",
                           name=op.f('ck_order_touch_known_role')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_order_touch_order_id_orders'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_touch')),
        sa.UniqueConstraint('order_id', 'source', 'role', name='uq_order_touch'),
    )
    op.create_index(op.f('ix_order_touch_order_id'), 'order_touch', ['order_id'])
    op.create_index(op.f('ix_order_touch_source'), 'order_touch', ['source'])
    op.create_table(
        'newsletter_subscriber',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'unsubscribed')",
                           name=op.f('ck_newsletter_subscriber_known_status')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_newsletter_subscriber')),
        sa.UniqueConstraint('email', name=op.f('uq_newsletter_subscriber_email')),
    )
    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('journey', sa.JSON(), nullable=True))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('journey', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('journey')
    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.drop_column('journey')
        batch_op.drop_column('discount_code')
    op.drop_table('newsletter_subscriber')
    op.drop_index(op.f('ix_order_touch_source'), table_name='order_touch')
    op.drop_index(op.f('ix_order_touch_order_id'), table_name='order_touch')
    op.drop_table('order_touch')
    op.drop_table('discount_code')
