"""moderated reviews and comments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('moderated_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('target_slug', sa.String(length=160), nullable=False),
    sa.Column('target_title', sa.String(length=200), nullable=False),
    sa.Column('author_name', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('verified_purchase', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('spam_score', sa.Float(), nullable=False),
    sa.Column('spam_reasons', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=400), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('moderation_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'spam')", name=op.f('ck_moderated_item_known_status')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_moderated_item_rating_range')),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['staff_user.id'], name=op.f('fk_moderated_item_moderated_by_id_staff_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderated_item')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_moderated_item_dedupe_key'))
    )
    with op.batch_alter_table('moderated_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderated_item_email'), ['email'], unique=False)
        batch_op.create_index('ix_moderated_item_queue', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_moderated_item_target', ['kind', 'target_type', 'target_id', 'status'], unique=False)

    op.create_table('moderation_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=False),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id'], name=op.f('fk_moderation_action_actor_id_staff_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['moderated_item.id'], name=op.f('fk_moderation_action_item_id_moderated_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_action'))
    )
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_action_item_id'), ['item_id'], unique=False)




def downgrade():

    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_action_item_id'))

    op.drop_table('moderation_action')
    with op.batch_alter_table('moderated_item', schema=None) as batch_op:
        batch_op.drop_index('ix_moderated_item_target')
        batch_op.drop_index('ix_moderated_item_queue')
        batch_op.drop_index(batch_op.f('ix_moderated_item_email'))

    op.drop_table('moderated_item')

