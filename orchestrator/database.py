"""The store's database: embedded SQLite (one replica) or a shared PostgreSQL (several replicas), same SQL.

Queries are written once with `?` placeholders; for PostgreSQL they become `%s`. Every call runs on one
dedicated thread with one connection, so the event loop never blocks on disk or network.
"""

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import psycopg

T = TypeVar("T")

# Types that differ between the two; the rest of the schema is plain SQL both accept.
_SQLITE_TYPES = {"{serial}": "INTEGER PRIMARY KEY AUTOINCREMENT", "{blob}": "BLOB", "{real}": "REAL"}
_POSTGRES_TYPES = {"{serial}": "BIGSERIAL PRIMARY KEY", "{blob}": "BYTEA", "{real}": "DOUBLE PRECISION"}


class Database:
    """A connection and the thread it is used from. Open with `await Database.open(...)`."""

    def __init__(self, connection: Any, postgres: bool, executor: ThreadPoolExecutor) -> None:
        self._connection = connection
        self._postgres = postgres
        self._executor = executor

    @classmethod
    async def open(cls, sqlite_path: Path, postgres_url: str = "") -> "Database":
        """PostgreSQL when `postgres_url` is set, else SQLite at `sqlite_path` (WAL, every commit synced to disk)."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

        def connect() -> Any:
            if postgres_url:
                return psycopg.connect(postgres_url, autocommit=True)
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(sqlite_path, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA busy_timeout=5000")
            return connection

        connection = await asyncio.get_running_loop().run_in_executor(executor, connect)
        return cls(connection, bool(postgres_url), executor)

    async def run(self, work: Callable[[], T]) -> T:
        """Runs `work` (which calls execute/transaction) on the database thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def execute(self, sql: str, params: tuple = ()) -> Any:
        """Executes one statement on the database thread; returns the cursor."""
        if self._postgres:
            return self._connection.execute(sql.replace("?", "%s"), params)
        return self._connection.execute(sql, params)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together, or not at all."""
        if self._postgres:
            with self._connection.transaction():
                yield
            return
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def create_schema(self, schema: str, added_columns: Iterable[tuple[str, str, str]] = ()) -> None:
        """Creates the tables and indexes of `schema` (statements separated by `;`) where missing, and the
        `added_columns` (table, column, definition) that tables made by an earlier release lack."""
        types = _POSTGRES_TYPES if self._postgres else _SQLITE_TYPES
        for placeholder, sql_type in types.items():
            schema = schema.replace(placeholder, sql_type)
        with self.transaction():
            if self._postgres:  # replicas starting together must not race on CREATE TABLE
                self._connection.execute("SELECT pg_advisory_xact_lock(7213)")
            for statement in filter(str.strip, schema.split(";")):
                self._connection.execute(statement)
            for table, column, definition in added_columns:
                if self._postgres:
                    self._connection.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {definition}")
                elif column not in {row[1] for row in self._connection.execute(f"PRAGMA table_info({table})")}:
                    self._connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    async def close(self) -> None:
        await self.run(self._connection.close)
        self._executor.shutdown(wait=True)
