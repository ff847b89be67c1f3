"""Fixtures every test folder may use: `database_url` (SQLite and PostgreSQL) from tests/postgres.py; and the `e2e`
mark on every test of the folders that run the real processes (others mark their own: `pytestmark`)."""

from pathlib import Path

import pytest

pytest_plugins = ("tests.postgres",)

PROCESS_STACK_FOLDERS = tuple(Path(__file__).parent / name for name in ("e2e", "chaos"))


def pytest_itemcollected(item: pytest.Item) -> None:
    if item.path.parent in PROCESS_STACK_FOLDERS:
        item.add_marker(pytest.mark.e2e)
