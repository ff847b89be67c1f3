"""The schema in numbered steps (`migrations/NNNN_name.sql`), applied in order, each recorded in schema_version.

A store made before numbered migrations (tables, no schema_version) first gets the columns its release lacked,
and then counts as having the first step (whose statements all say IF NOT EXISTS) applied with the rest.
"""

import re
from importlib.resources import files

from orchestrator.database import Database

# Columns added by the releases before numbered migrations: (table, column, definition).
LEGACY_COLUMNS = (
    ("events", "traceparent", "TEXT NOT NULL DEFAULT ''"),
    ("leases", "generation", "BIGINT NOT NULL DEFAULT 0"),
    ("threads", "bot_category_seen_at", "DOUBLE PRECISION NOT NULL DEFAULT 0"),
)
_FILE_NAME = re.compile(r"(\d{4})_(\w+)\.sql")
# Replicas starting together must not race on the schema (PostgreSQL; SQLite's write lock does it there).
_MIGRATION_LOCK = 7213


def migrations() -> list[tuple[int, str, str]]:
    """Every step, in order: (number, name, SQL)."""
    steps = []
    for path in files(__package__).joinpath("migrations").iterdir():
        if match := _FILE_NAME.fullmatch(path.name):
            steps.append((int(match[1]), match[2], path.read_text(encoding="utf-8")))
    return sorted(steps)


def migrate(db: Database) -> int:
    """Applies the steps this store lacks, in one transaction (on the database thread); returns its version."""
    with db.transaction():
        if db.postgres:
            db.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
        db.execute(
            db.typed(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at {real} NOT NULL)"
            )
        )
        version = int(db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])
        if version == 0:
            _add_legacy_columns(db)
        for number, name, sql in migrations():
            if number <= version:
                continue
            for statement in statements(db.typed(sql)):
                db.execute(statement)
            db.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, {now})", (number, name))
            version = number
    return version


def _add_legacy_columns(db: Database) -> None:
    """Adds to the tables of a store made before numbered migrations the columns its release lacked."""
    for table, column, definition in LEGACY_COLUMNS:
        present = _columns(db, table)
        if present and column not in present:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def _columns(db: Database, table: str) -> set[str]:
    """The columns of `table` (none when there is no such table)."""
    if db.postgres:
        sql = (
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?"
        )
    else:
        sql = "SELECT name FROM pragma_table_info(?)"
    return {name for (name,) in db.execute(sql, (table,)).fetchall()}


def statements(sql: str) -> list[str]:
    """The statements of a migration file, its comment lines left out."""
    code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [statement for statement in code.split(";") if statement.strip()]
