"""updates carry how sure their status reading is

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('itemupdate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=False, server_default='1.0'))


def downgrade() -> None:
    with op.batch_alter_table('itemupdate', schema=None) as batch_op:
        batch_op.drop_column('confidence')
