"""The store's database: embedded SQLite (one replica) or a shared PostgreSQL (several replicas), same SQL.

Queries are written once with `?` placeholders (for PostgreSQL they become `%s`) and `{now}` for the database's
clock in epoch seconds, read when the statement runs (after any lock wait), never the process's clock. Work runs on
worker threads, so the event loop never blocks on disk or network: SQLite on one dedicated thread and connection;
PostgreSQL on a pool of connections (psycopg_pool) that replaces broken ones, so the store heals by itself once
the server is reachable again.

Writes go through `write`: on SQLite, the writes queued while the thread is busy share one commit (group commit),
so concurrent deliveries and processing steps pay one fsync between them instead of one each, and none returns
before that commit. A lone write commits at once: nothing waits for company.
"""

import asyncio
import collections
import contextlib
import copy
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import psycopg_pool

from orchestrator.metrics import STORE_GROUP_COMMIT_WRITES

T = TypeVar("T")
# A write queued for SQLite's group commit, and the future its caller awaits.
_Write = tuple[Callable[[], Any], "Future[Any]"]
# The most writes one SQLite commit takes: each waits for the whole group's statements before its answer.
GROUP_LIMIT = 64

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
        # SQLite's group commit: writes waiting for the thread, whether a commit of them is queued or running, and
        # whether the thread is committing a group now (a transaction inside one is a savepoint).
        self._queued: collections.deque[_Write] = collections.deque()
        self._queue_lock = threading.Lock()
        self._committing_queued = False
        self._in_group = False

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

    async def write(self, work: Callable[[], T]) -> T:
        """Runs `work` (which calls execute/transaction) like `run`, and returns once its statements are committed.

        On SQLite its commit may be shared with the other writes queued meanwhile (up to GROUP_LIMIT), each inside a
        savepoint of its own: a write that raises is undone alone and its caller gets the error, while the others
        commit; when the commit itself fails (a full disk), or SQLite rolls the whole transaction back, every write
        of the group fails with that error and none is kept. On PostgreSQL the same as `run`."""
        if self._pool is not None:
            return await self.run(work)
        done: Future[Any] = Future()
        with self._queue_lock:
            self._queued.append((work, done))
            idle, self._committing_queued = not self._committing_queued, True
        if idle:
            self._executor.submit(self._commit_queued)
        return await asyncio.wrap_future(done)

    def _commit_queued(self) -> None:
        """On the SQLite thread: commits the writes queued now (up to GROUP_LIMIT) together; the writes queued
        meanwhile get their turn after whatever else was submitted to the thread since."""
        with self._queue_lock:
            taken = [self._queued.popleft() for _ in range(min(GROUP_LIMIT, len(self._queued)))]
        group = [(work, done) for work, done in taken if done.set_running_or_notify_cancel()]
        try:
            while group:
                group = self._commit_group(group)
        finally:
            with self._queue_lock:
                again = self._committing_queued = bool(self._queued)
            if again:
                self._executor.submit(self._commit_queued)

    def _commit_group(self, group: list[_Write]) -> list[_Write]:
        """Runs the group's writes in one transaction and settles each; returns the writes not run yet when SQLite
        rolled the transaction back under them (a full disk, an I/O error), to be tried in a group of their own."""
        connection, kept = self._sqlite, []
        assert connection is not None, "only SQLite groups its commits"
        try:
            connection.execute("BEGIN IMMEDIATE")
            self._in_group = True
            for index, (work, done) in enumerate(group):
                try:
                    with self._savepoint():
                        kept.append((done, work()))
                except Exception as error:  # noqa: BLE001 - given to its caller; the others go on or fail below
                    if connection.in_transaction:
                        done.set_exception(error)
                        continue
                    _fail([kept_done for kept_done, _ in kept] + [done], error)
                    return group[index + 1 :]
            connection.execute("COMMIT")
        except BaseException as error:  # noqa: BLE001 - BEGIN/COMMIT failed, or a write raised: none is kept
            if connection.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
            _fail([done for _, done in group if not done.done()], error)
            return []
        finally:
            self._in_group = False
        STORE_GROUP_COMMIT_WRITES.observe(len(kept))
        for done, result in kept:
            done.set_result(result)
        return []

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        """Statements inside are undone together when it raises, within the open transaction."""
        connection = self._sqlite
        assert connection is not None, "only SQLite groups its commits"
        connection.execute("SAVEPOINT write")
        try:
            yield
        except BaseException:
            if connection.in_transaction:
                try:
                    connection.execute("ROLLBACK TO write")
                    connection.execute("RELEASE write")
                except sqlite3.Error:  # not undone alone: then nothing of the transaction may be kept
                    with contextlib.suppress(sqlite3.Error):
                        connection.execute("ROLLBACK")
            raise
        connection.execute("RELEASE write")

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
        if self._in_group:
            with self._savepoint():
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

    @property
    def postgres(self) -> bool:
        """Whether this is the shared PostgreSQL (several replicas) rather than the embedded SQLite."""
        return self._postgres

    def typed(self, sql: str) -> str:
        """`sql` with its type placeholders ({serial}, {blob}, {real}) made this database's types."""
        for placeholder, sql_type in (_POSTGRES_TYPES if self._postgres else _SQLITE_TYPES).items():
            sql = sql.replace(placeholder, sql_type)
        return sql

    async def listen(self, channel: str, notified: Callable[[], None], check_seconds: float) -> None:
        """PostgreSQL: calls `notified` once listening on `channel` (what was sent before is not heard) and then on
        each notification, on a connection of its own outside the pool; checks that connection every
        `check_seconds` without a notification, and raises psycopg.OperationalError when it broke or did not answer
        within the store's timeout."""
        assert self._pool is not None, "only PostgreSQL notifies"
        conninfo = self._pool.conninfo
        connection = await psycopg.AsyncConnection.connect(
            conninfo if isinstance(conninfo, str) else conninfo(),
            autocommit=True,
            connect_timeout=max(1, int(self._timeout)),
        )
        async with connection:
            await connection.execute(f"LISTEN {channel}")
            notified()
            while True:
                async for _ in connection.notifies(timeout=check_seconds):
                    notified()
                try:
                    await asyncio.wait_for(connection.execute("SELECT 1"), self._timeout)
                except TimeoutError as error:
                    raise psycopg.OperationalError("the listening connection does not answer") from error

    async def close(self) -> None:
        if self._pool is not None:
            await asyncio.to_thread(self._pool.close)
        else:
            await self.run(self._connection.close)
        self._executor.shutdown(wait=True)


def _fail(waiting: list[Future[Any]], error: BaseException) -> None:
    """Gives each waiting caller the error, as its own copy (same type, message and traceback)."""
    for done in waiting:
        try:
            own = copy.copy(error).with_traceback(error.__traceback__)
        except Exception:  # noqa: BLE001 - an error that cannot be copied is shared
            own = error
        done.set_exception(own)
