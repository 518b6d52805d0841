"""full-text search over article titles and bodies

SQLite: an FTS5 external-content table kept in step with ``article`` by triggers, so every writer (the
pipeline, backfill, reindex) keeps it current without knowing it exists. PostgreSQL: a GIN index on the
English tsvector of title and body (storage/search.py queries that same expression). A later migration that
rebuilds ``article`` on SQLite (batch mode copies the table) drops the triggers: it must create them again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

PG_DOCUMENT = "to_tsvector('english', coalesce(title, '') || ' ' || body)"

SQLITE_UP = [
    "CREATE VIRTUAL TABLE article_fts USING fts5(title, body, content='article', content_rowid='id')",
    """CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN
         INSERT INTO article_fts(rowid, title, body) VALUES (new.id, coalesce(new.title, ''), new.body);
       END""",
    """CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN
         INSERT INTO article_fts(article_fts, rowid, title, body)
         VALUES ('delete', old.id, coalesce(old.title, ''), old.body);
       END""",
    """CREATE TRIGGER article_fts_update AFTER UPDATE OF title, body ON article BEGIN
         INSERT INTO article_fts(article_fts, rowid, title, body)
         VALUES ('delete', old.id, coalesce(old.title, ''), old.body);
         INSERT INTO article_fts(rowid, title, body) VALUES (new.id, coalesce(new.title, ''), new.body);
       END""",
    "INSERT INTO article_fts(rowid, title, body) SELECT id, coalesce(title, ''), body FROM article",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS article_fts_update",
    "DROP TRIGGER IF EXISTS article_fts_delete",
    "DROP TRIGGER IF EXISTS article_fts_insert",
    "DROP TABLE IF EXISTS article_fts",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_UP:
            op.execute(statement)
    else:
        op.execute(f"CREATE INDEX ix_article_search ON article USING GIN ({PG_DOCUMENT})")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_article_search")
