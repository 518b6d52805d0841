"""feeds remember when they last brought a new entry and when a failing one is polled next

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_new_entry', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_poll', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.drop_column('next_poll')
        batch_op.drop_column('last_new_entry')
