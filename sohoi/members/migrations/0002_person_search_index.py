"""The word index of people's folded names: FTS5 on SQLite, a GIN tsvector on PostgreSQL.

Neither can be declared in Meta.indexes for both databases, so it is SQL per vendor.
Search by word start first (BASELINES.md §4): "nguyen van hung" is three prefix terms.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE members_person_fts USING fts5("
    "search_name, content='members_person', content_rowid='id', tokenize='unicode61', prefix='1 2 3')",
    "CREATE TRIGGER members_person_fts_insert AFTER INSERT ON members_person BEGIN "
    "INSERT INTO members_person_fts(rowid, search_name) VALUES (new.id, new.search_name); END",
    "CREATE TRIGGER members_person_fts_delete AFTER DELETE ON members_person BEGIN "
    "INSERT INTO members_person_fts(members_person_fts, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); END",
    "CREATE TRIGGER members_person_fts_update AFTER UPDATE OF search_name ON members_person BEGIN "
    "INSERT INTO members_person_fts(members_person_fts, rowid, search_name) "
    "VALUES ('delete', old.id, old.search_name); "
    "INSERT INTO members_person_fts(rowid, search_name) VALUES (new.id, new.search_name); END",
    "INSERT INTO members_person_fts(members_person_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS members_person_fts_update",
    "DROP TRIGGER IF EXISTS members_person_fts_delete",
    "DROP TRIGGER IF EXISTS members_person_fts_insert",
    "DROP TABLE IF EXISTS members_person_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX members_person_search_idx ON members_person "
    "USING gin (to_tsvector('simple'::regconfig, search_name))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS members_person_search_idx"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
