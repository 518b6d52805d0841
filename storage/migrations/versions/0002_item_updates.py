"""tracked-item updates and their sources

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('itemupdate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('times', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('amounts', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item', 'story_id')
    )
    with op.batch_alter_table('itemupdate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itemupdate_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_itemupdate_item'), ['item'], unique=False)
        batch_op.create_index(batch_op.f('ix_itemupdate_story_id'), ['story_id'], unique=False)

    op.create_table('updatesource',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ),
    sa.ForeignKeyConstraint(['update_id'], ['itemupdate.id'], ),
    sa.PrimaryKeyConstraint('update_id', 'article_id')
    )


def downgrade() -> None:
    op.drop_table('updatesource')
    with op.batch_alter_table('itemupdate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itemupdate_story_id'))
        batch_op.drop_index(batch_op.f('ix_itemupdate_item'))
        batch_op.drop_index(batch_op.f('ix_itemupdate_created_at'))

    op.drop_table('itemupdate')
