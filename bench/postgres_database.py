"""A fresh database on a PostgreSQL server for one stack, and the CPU of the server processes that serve it."""

import contextlib
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import psycopg

from bench.procstats import cpu_seconds


class Backends:
    """CPU seconds the backends of one database used between `start()` and `stop()` (pg_stat_activity names them;
    /proc counts them). A backend born meanwhile counts whole; one that ended meanwhile is missed (the stack's pool
    keeps its connections open)."""

    def __init__(self, server_url: str, database: str) -> None:
        self._server_url = server_url
        self._database = database
        self._before: dict[int, float] = {}

    def _pids(self) -> list[int]:
        with psycopg.connect(self._server_url, autocommit=True) as admin:
            rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self._database,)).fetchall()
        return [row[0] for row in rows]

    def start(self) -> None:
        self._before = {pid: cpu_seconds(pid) for pid in self._pids()}

    def stop(self) -> float:
        return sum(cpu_seconds(pid) - self._before.get(pid, 0.0) for pid in self._pids())


def server_answers(server_url: str) -> str:
    """Empty when the server takes a connection; else why not (the server's host and port, never its password)."""
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=3):
            return ""
    except psycopg.OperationalError as error:
        where = urlsplit(server_url)
        return f"PostgreSQL not reachable at {where.hostname}:{where.port or 5432} ({type(error).__name__})"


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[tuple[str, Backends]]:
    """A new empty database on the server of `server_url` (its URL, its backends' meter), dropped afterwards."""
    name = f"bench_{uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}")), Backends(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
