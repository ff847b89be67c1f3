"""The store's database: embedded SQLite (one replica) or a shared PostgreSQL (several replicas), same SQL.

Queries are written once with `?` placeholders (for PostgreSQL they become `%s`) and `{now}` for the database's
clock in epoch seconds, read when the statement runs (after any lock wait), never the process's clock. Work runs on
worker threads, so the event loop never blocks on disk or network: SQLite on one dedicated thread and connection;
PostgreSQL on a pool of connections (psycopg_pool) that replaces broken ones, so the store heals by itself once
the server is reachable again.
"""

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import psycopg_pool

T = TypeVar("T")

# Types that differ between the two; the rest of the schema is plain SQL both accept.
_SQLITE_TYPES = {"{serial}": "INTEGER PRIMARY KEY AUTOINCREMENT", "{blob}": "BLOB", "{real}": "REAL"}
_POSTGRES_TYPES = {"{serial}": "BIGSERIAL PRIMARY KEY", "{blob}": "BYTEA", "{real}": "DOUBLE PRECISION"}
# The database's clock, in epoch seconds, at the moment the statement runs.
_SQLITE_NOW = "((julianday('now') - 2440587.5) * 86400.0)"
_POSTGRES_NOW = "EXTRACT(EPOCH FROM clock_timestamp())::float8"

# Errors of the store itself (unreachable, locked, full, refused a value): worth retrying once it heals.
STORE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, psycopg.Error, psycopg_pool.PoolTimeout, OSError)
# Of those, the ones that say the store cannot write now, whatever the value (unreachable, locked, full, closed,
# broken): the caller must fail and be asked again, never set the value aside as if it were the value's fault.
_UNWELL: tuple[type[BaseException], ...] = (
    sqlite3.OperationalError,
    sqlite3.ProgrammingError,
    sqlite3.InternalError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg.InternalError,
    psycopg_pool.PoolTimeout,
    OSError,
)


def store_unwell(error: BaseException) -> bool:
    """Whether `error` is the store's state rather than a refusal of the value written (a value too large for a
    PostgreSQL index is the value's fault, though psycopg files it under OperationalError)."""
    return isinstance(error, _UNWELL) and not isinstance(error, psycopg.errors.ProgramLimitExceeded)


class Database:
    """Connections and the threads they are used from. Open with `await Database.open(...)`."""

    def __init__(
        self, sqlite: sqlite3.Connection | None, pool: psycopg_pool.ConnectionPool | None, workers: int, timeout: float
    ) -> None:
        self._sqlite = sqlite
        self._pool = pool
        self._postgres = pool is not None
        self._timeout = timeout
        self._now = _POSTGRES_NOW if self._postgres else _SQLITE_NOW
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="store")

    @classmethod
    async def open(
        cls, sqlite_path: Path, postgres_url: str = "", pool_size: int = 4, timeout: float = 5.0
    ) -> "Database":
        """PostgreSQL when `postgres_url` is set (a pool of up to `pool_size` connections; waiting longer than
        `timeout` seconds for one fails), else SQLite at `sqlite_path` (WAL, every commit synced to disk)."""
        if postgres_url:
            pool = psycopg_pool.ConnectionPool(
                postgres_url,
                min_size=1,
                max_size=pool_size,
                kwargs={"autocommit": True},
                check=psycopg_pool.ConnectionPool.check_connection,  # a connection the network broke is replaced
                timeout=timeout,
                reconnect_timeout=timeout,
                open=False,
            )
            await asyncio.to_thread(pool.open, wait=True, timeout=timeout)
            return cls(None, pool, pool_size, timeout)

        def connect() -> sqlite3.Connection:
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(sqlite_path, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            return connection

        return cls(await asyncio.to_thread(connect), None, 1, timeout)

    async def run(self, work: Callable[[], T]) -> T:
        """Runs `work` (which calls execute/transaction) on a database thread, with a connection of its own."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._with_connection, work)

    def _with_connection(self, work: Callable[[], T]) -> T:
        if self._pool is None:
            return work()
        with self._pool.connection(timeout=self._timeout) as connection:
            self._local.connection = connection
            try:
                return work()
            finally:
                self._local.connection = None

    @property
    def _connection(self) -> Any:
        return self._sqlite if self._pool is None else self._local.connection

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """Executes one statement on the database thread; returns the cursor."""
        sql = sql.replace("{now}", self._now)
        if self._postgres:
            return self._connection.execute(sql.replace("?", "%s"), params)
        return self._connection.execute(sql, params)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together, or not at all (a failed COMMIT, e.g. on a full disk, too)."""
        if self._postgres:
            with self._connection.transaction():
                yield
            return
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
            raise

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
        if self._pool is not None:
            await asyncio.to_thread(self._pool.close)
        else:
            await self.run(self._connection.close)
        self._executor.shutdown(wait=True)
