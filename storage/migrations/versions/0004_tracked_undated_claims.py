"""articles remember tracking; undated updates; digest claims

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracked', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_article_tracked'), ['tracked'], unique=False)

    with op.batch_alter_table('digestrecord', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_unique_constraint('uq_digestrecord_claim', ['claim'])

    with op.batch_alter_table('itemupdate', schema=None) as batch_op:
        batch_op.alter_column('date',
               existing_type=sa.DATE(),
               nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('itemupdate', schema=None) as batch_op:
        batch_op.alter_column('date',
               existing_type=sa.DATE(),
               nullable=False)

    with op.batch_alter_table('digestrecord', schema=None) as batch_op:
        batch_op.drop_constraint('uq_digestrecord_claim', type_='unique')
        batch_op.drop_column('claim')

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_tracked'))
        batch_op.drop_column('tracked')

