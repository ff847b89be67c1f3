"""Fixtures every test folder may use: `database_url` (SQLite and PostgreSQL) from tests/postgres.py; the `e2e`
mark on every test of the folders that run the real processes (others mark their own: `pytestmark`); and the
longest modules collected first."""

from pathlib import Path

import pytest

pytest_plugins = ("tests.postgres",)

PROCESS_STACK_FOLDERS = tuple(Path(__file__).parent / name for name in ("e2e", "chaos"))
# The modules that take longest, longest first. `--dist loadscope` runs a module on one worker and hands modules out
# in collection order (`--no-loadscope-reorder` in pyproject.toml; xdist's own order, most tests first, put these
# few-test modules last, so the suite ended with one worker busy and three idle): collected first, they start at
# once, side by side, and the short modules fill the workers around them.
LONGEST_MODULES = tuple(
    Path(__file__).parent / name
    for name in (
        "chaos/test_store_faults.py",
        "e2e/test_reliability.py",
        "bench/test_bench_smoke.py",
        "intake/test_fuzz_deliveries.py",
        "bench/test_bench_commands.py",
        "dimelo_adapter/test_adapter_budget.py",
        "e2e/test_quick_replies.py",
        "e2e/test_handback.py",
        "orchestrator/test_conversation_flow.py",
    )
)


def pytest_itemcollected(item: pytest.Item) -> None:
    if item.path.parent in PROCESS_STACK_FOLDERS:
        item.add_marker(pytest.mark.e2e)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: position for position, path in enumerate(LONGEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.path, len(rank)))
