"""A throw-away PostgreSQL schema for a test, on the server at POSTGRES_TEST_URL (default: local, database test)."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import psycopg
import pytest

SERVER_URL = os.environ.get("POSTGRES_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_schema() -> Iterator[str]:
    """Yields a DSN whose search_path is a new empty schema, dropped afterwards; skips when no server answers."""
    try:
        admin = psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at {SERVER_URL} ({error}); set POSTGRES_TEST_URL to run this test")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            separator = "&" if "?" in SERVER_URL else "?"
            yield f"{SERVER_URL}{separator}options={quote(f'-csearch_path={schema}')}"
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


# The stores the tests on both run on: TEST_STORES=sqlite for the inner loop (make test-fast), both otherwise.
STORES = os.environ.get("TEST_STORES", "sqlite,postgres").split(",")
assert set(STORES) <= {"sqlite", "postgres"}, f"TEST_STORES takes sqlite and/or postgres, not {STORES}"


@pytest.fixture(params=STORES)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs a test on the embedded SQLite store (an empty URL) and on PostgreSQL (a fresh schema's DSN)."""
    if request.param == "sqlite":
        yield ""
        return
    with fresh_schema() as url:
        yield url
