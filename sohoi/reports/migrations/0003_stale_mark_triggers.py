"""Triggers that mark the units whose kept statistics a change makes stale (sohoi/reports/kept.py).

In the database, not in the services, so that no write path can forget: every insert, update or
delete of a membership, a stay or an event, a change of a person's gender or birth year, and a new
or moved unit upserts the unit's path into reports_stalemark with a new random seq. PostgreSQL
uses statement-level triggers with transition tables, so a bulk import writes one mark per unit,
not one per row.
"""

from django.db import migrations

MARK_SQLITE = (
    "INSERT INTO reports_stalemark(path, seq) {select} ON CONFLICT(path) DO UPDATE SET seq = excluded.seq"
)


def _sqlite_unit(ref: str) -> str:
    return MARK_SQLITE.format(
        select=f"SELECT path, abs(random()) FROM orgunits_orgunit WHERE id = {ref} AND true"
    )


SQLITE_FORWARD = []
for table, columns in (
    ("members_membership", ["org_unit_id"]),
    ("members_membershipstay", ["org_unit_id"]),
    ("members_membershipevent", ["org_unit_id", "from_unit_id"]),
):
    name = table.split("_", 1)[1]
    for op, refs in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])):
        body = " ".join(_sqlite_unit(f"{ref}.{column}") + ";" for ref in refs for column in columns)
        SQLITE_FORWARD.append(
            f"CREATE TRIGGER reports_mark_{name}_{op.lower()} AFTER {op} ON {table} BEGIN {body} END"
        )
SQLITE_FORWARD += [
    "CREATE TRIGGER reports_mark_person_update AFTER UPDATE OF gender, birth_year ON members_person "
    "WHEN OLD.gender IS NOT NEW.gender OR OLD.birth_year IS NOT NEW.birth_year BEGIN "
    + MARK_SQLITE.format(
        select="SELECT u.path, abs(random()) FROM members_membership m JOIN orgunits_orgunit u ON u.id = m.org_unit_id "
        "WHERE m.person_id = NEW.id UNION SELECT u.path, abs(random()) FROM members_membershipstay s "
        "JOIN members_membership m ON m.id = s.membership_id JOIN orgunits_orgunit u ON u.id = s.org_unit_id "
        "WHERE m.person_id = NEW.id"
    )
    + "; END",
    "CREATE TRIGGER reports_mark_orgunit_insert AFTER INSERT ON orgunits_orgunit BEGIN "
    + MARK_SQLITE.format(select="SELECT NEW.path, abs(random()) WHERE true")
    + "; END",
    "CREATE TRIGGER reports_mark_orgunit_update AFTER UPDATE OF path, level ON orgunits_orgunit "
    "WHEN OLD.path IS NOT NEW.path OR OLD.level IS NOT NEW.level BEGIN "
    + MARK_SQLITE.format(select="SELECT OLD.path, abs(random()) WHERE true")
    + "; "
    + MARK_SQLITE.format(select="SELECT NEW.path, abs(random()) WHERE true")
    + "; END",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {statement.split()[2]}" for statement in SQLITE_FORWARD]

MARK_PG = (
    "INSERT INTO reports_stalemark(path, seq) SELECT DISTINCT ON (path) path, (random() * 9e18)::bigint "
    "FROM ({select}) AS changed ORDER BY path "
    "ON CONFLICT (path) DO UPDATE SET seq = excluded.seq"
)


def _pg_units(rows: str, columns: list[str]) -> str:
    parts = " UNION ".join(f"SELECT {column} AS unit_id FROM {rows}" for column in columns)
    return f"SELECT u.path FROM orgunits_orgunit u WHERE u.id IN ({parts})"


POSTGRES_FORWARD = []
for table, columns in (
    ("members_membership", ["org_unit_id"]),
    ("members_membershipstay", ["org_unit_id"]),
    ("members_membershipevent", ["org_unit_id", "from_unit_id"]),
):
    name = table.split("_", 1)[1]
    for op, tables in (
        ("INSERT", ["new_rows"]),
        ("UPDATE", ["old_rows", "new_rows"]),
        ("DELETE", ["old_rows"]),
    ):
        function = f"reports_mark_{name}_{op.lower()}"
        selects = " UNION ".join(_pg_units(rows, columns) for rows in tables)
        POSTGRES_FORWARD.append(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{MARK_PG.format(select=selects)}; RETURN NULL; END $$"
        )
        referencing = " ".join(f"{'NEW' if rows == 'new_rows' else 'OLD'} TABLE AS {rows}" for rows in tables)
        POSTGRES_FORWARD.append(
            f"CREATE TRIGGER {function} AFTER {op} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
POSTGRES_FORWARD += [
    "CREATE FUNCTION reports_mark_person_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + MARK_PG.format(
        select="SELECT u.path FROM new_rows n JOIN old_rows o ON o.id = n.id "
        "JOIN members_membership m ON m.person_id = n.id JOIN orgunits_orgunit u ON u.id = m.org_unit_id "
        "WHERE o.gender IS DISTINCT FROM n.gender OR o.birth_year IS DISTINCT FROM n.birth_year "
        "UNION SELECT u.path FROM new_rows n JOIN old_rows o ON o.id = n.id "
        "JOIN members_membership m ON m.person_id = n.id JOIN members_membershipstay s ON s.membership_id = m.id "
        "JOIN orgunits_orgunit u ON u.id = s.org_unit_id "
        "WHERE o.gender IS DISTINCT FROM n.gender OR o.birth_year IS DISTINCT FROM n.birth_year"
    )
    + "; RETURN NULL; END $$",
    "CREATE TRIGGER reports_mark_person_update AFTER UPDATE ON members_person "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_person_update()",
    "CREATE FUNCTION reports_mark_orgunit_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + MARK_PG.format(select="SELECT path FROM new_rows")
    + "; RETURN NULL; END $$",
    "CREATE TRIGGER reports_mark_orgunit_insert AFTER INSERT ON orgunits_orgunit REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_orgunit_insert()",
    "CREATE FUNCTION reports_mark_orgunit_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + MARK_PG.format(
        select="SELECT o.path FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "WHERE o.path IS DISTINCT FROM n.path OR o.level IS DISTINCT FROM n.level "
        "UNION SELECT n.path FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "WHERE o.path IS DISTINCT FROM n.path OR o.level IS DISTINCT FROM n.level"
    )
    + "; RETURN NULL; END $$",
    "CREATE TRIGGER reports_mark_orgunit_update AFTER UPDATE ON orgunits_orgunit "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_orgunit_update()",
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {s.split()[2]} ON {s.split(' ON ')[1].split()[0]}"
    for s in POSTGRES_FORWARD
    if s.startswith("CREATE TRIGGER")
] + [f"DROP FUNCTION IF EXISTS {s.split()[2]}" for s in POSTGRES_FORWARD if s.startswith("CREATE FUNCTION")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_kept_statistics"),
        ("members", "0005_person_search_index_without_prefix_tables"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
