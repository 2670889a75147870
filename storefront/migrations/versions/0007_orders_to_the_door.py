"""orders to the door: addresses, shipping methods, tax, refunds, fulfilments, mail

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

- `orders` gains its parts (subtotal, shipping, tax, discount, refunded), the shipping
  method chosen, the shipping address and a `flag` for staff. Orders placed before keep
  their total as their subtotal.
- `shipping_method`: what staff offer, with two demo methods seeded by `seed-demo`.
- `order_refund`, `order_fulfilment`: each refund and each parcel of an order.
- `staff_action`: the audit log of what staff did to orders.
- `outbox_message` becomes a delivery queue: an HTML part, a status, attempts and the
  time of the next one, the last error. Messages written before were never sent; they
  stay pending only if they are less than a day old, so an upgrade does not mail
  shoppers about old orders.
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa

from storefront.timeutil import UTCDateTime


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shipping_method',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('estimate', sa.String(length=120), nullable=False),
        sa.Column('min_days', sa.Integer(), nullable=True),
        sa.Column('max_days', sa.Integer(), nullable=True),
        sa.Column('countries', sa.Text(), nullable=False),
        sa.Column('free_above', sa.BigInteger(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount >= 0', name=op.f('ck_shipping_method_amount_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_method')),
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        for name in ('subtotal_amount', 'shipping_amount', 'tax_amount', 'discount_amount',
                     'refunded_amount'):
            batch_op.add_column(sa.Column(name, sa.BigInteger(), nullable=False,
                                          server_default='0'))
        batch_op.add_column(sa.Column('tax_inclusive', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('discount_code', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('shipping_method_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('shipping_method', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('shipping_offer', sa.Text(), nullable=True))
        for name, length in (('ship_name', 200), ('ship_line1', 200), ('ship_line2', 200),
                             ('ship_city', 120), ('ship_postal_code', 20),
                             ('ship_region', 120), ('ship_country', 2), ('ship_phone', 40)):
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch_op.add_column(sa.Column('flag', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_orders_shipping_method_id_shipping_method'),
                                    'shipping_method', ['shipping_method_id'], ['id'],
                                    ondelete='SET NULL')
    op.execute("UPDATE orders SET subtotal_amount = total_amount")

    op.create_table(
        'order_refund',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('provider_refund_id', sa.String(length=255), nullable=True),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_order_refund_amount_positive')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_order_refund_order_id_orders'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_refund')),
        sa.UniqueConstraint('key', name=op.f('uq_order_refund_key')),
    )
    op.create_index(op.f('ix_order_refund_order_id'), 'order_refund', ['order_id'])
    op.create_table(
        'order_fulfilment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('carrier', sa.String(length=80), nullable=False),
        sa.Column('tracking_number', sa.String(length=120), nullable=False),
        sa.Column('tracking_url', sa.String(length=500), nullable=False),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_order_fulfilment_order_id_orders'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_fulfilment')),
    )
    op.create_index(op.f('ix_order_fulfilment_order_id'), 'order_fulfilment', ['order_id'])
    op.create_table(
        'staff_action',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('subject_type', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_action')),
    )
    op.create_index(op.f('ix_staff_action_subject'), 'staff_action', ['subject'])
    op.create_index(op.f('ix_staff_action_created_at'), 'staff_action', ['created_at'])

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html_body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('headers', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False,
                                      server_default='pending'))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_order_id_orders'),
                                    'orders', ['order_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_outbox_message_order_id'), ['order_id'])
        batch_op.create_index(batch_op.f('ix_outbox_message_status'), ['status'])
        batch_op.create_index(batch_op.f('ix_outbox_message_next_attempt_at'),
                              ['next_attempt_at'])
    op.execute("UPDATE outbox_message SET status = 'sent' WHERE sent_at IS NOT NULL")
    outbox = sa.table('outbox_message', sa.column('status'),
                      sa.column('created_at', UTCDateTime()), sa.column('last_error'))
    day_ago = datetime.now(UTC) - timedelta(days=1)
    op.execute(outbox.update().where(outbox.c.status == 'pending',
                                     outbox.c.created_at < day_ago)
               .values(status='failed', last_error='written before mail delivery existed'))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_status'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_order_id'))
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_order_id_orders'),
                                 type_='foreignkey')
        for name in ('last_error', 'next_attempt_at', 'attempts', 'status', 'order_id',
                     'headers', 'html_body'):
            batch_op.drop_column(name)
    op.drop_table('staff_action')
    op.drop_table('order_fulfilment')
    op.drop_table('order_refund')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_shipping_method_id_shipping_method'),
                                 type_='foreignkey')
        for name in ('flag', 'ship_phone', 'ship_country', 'ship_region', 'ship_postal_code',
                     'ship_city', 'ship_line2', 'ship_line1', 'ship_name', 'shipping_offer',
                     'shipping_method', 'shipping_method_id', 'discount_code', 'tax_inclusive',
                     'refunded_amount', 'discount_amount', 'tax_amount', 'shipping_amount',
                     'subtotal_amount'):
            batch_op.drop_column(name)
    op.drop_table('shipping_method')
