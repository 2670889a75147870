"""hardening: 64-bit money on orders, staff session versions, who holds stock

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

- `orders.total_amount` and `order_line.unit_amount` become 64-bit, so no total that the
  bounded prices and quantities allow can overflow (PostgreSQL's `integer` stops at
  2,147,483,647 minor units).
- `staff_user.session_version`: a console session carries the version it was opened
  with; logout, a password change and deactivation bump it, ending every copy of the
  cookie.
- `orders.client_key`: a digest of the address that placed a pending order, so that the
  stock one client may hold at once can be bounded.
- `moderated_item.dedupe_key` is unique among approved items only: a second review
  from one email is taken like any other (answering "already reviewed" would tell
  anyone whether an email wrote one), and approving it retires the first.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('total_amount', existing_type=sa.Integer(),
                              type_=sa.BigInteger(), existing_nullable=False)
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_client_key'), ['client_key'], unique=False)

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.alter_column('unit_amount', existing_type=sa.Integer(),
                              type_=sa.BigInteger(), existing_nullable=False)

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='0'))

    with op.batch_alter_table('moderated_item', schema=None) as batch_op:
        batch_op.drop_constraint('uq_moderated_item_dedupe_key', type_='unique')
    op.create_index('uq_moderated_item_approved_author', 'moderated_item', ['dedupe_key'],
                    unique=True, sqlite_where=sa.text("status = 'approved'"),
                    postgresql_where=sa.text("status = 'approved'"))


def downgrade():
    op.drop_index('uq_moderated_item_approved_author', table_name='moderated_item')
    with op.batch_alter_table('moderated_item', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_moderated_item_dedupe_key', ['dedupe_key'])

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('session_version')

    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.alter_column('unit_amount', existing_type=sa.BigInteger(),
                              type_=sa.Integer(), existing_nullable=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_client_key'))
        batch_op.drop_column('client_key')
        batch_op.alter_column('total_amount', existing_type=sa.BigInteger(),
                              type_=sa.Integer(), existing_nullable=False)
