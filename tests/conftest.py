"""Fixtures every test folder may use: `database_url` (SQLite and PostgreSQL) from tests/postgres.py; and, under
pytest-xdist (`make test`), the tests that share a module's fixture kept on one worker."""

import pytest

pytest_plugins = ("tests.postgres",)

SHARED_SCOPES = ("module", "class")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A module whose tests share a module-scoped fixture (a process stack, a scan) runs on one worker under
    `--dist loadgroup`, which then starts that fixture once; every other test goes to whichever worker is free."""
    for item in items:
        fixtures = getattr(item, "_fixtureinfo", None)
        if fixtures is None:
            continue
        if any(defs[-1].scope in SHARED_SCOPES for defs in fixtures.name2fixturedefs.values() if defs):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
