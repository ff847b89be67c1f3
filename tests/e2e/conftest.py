"""The whole stack as real processes (the same `python -m` entry points as the images) against the sandbox."""

import contextlib
import json
import os
import sqlite3

import pytest

from devstack.processes import Stack
from devstack.sandbox_client import SandboxClient
from tests.spec.spec_check import check_all, delivery_problems
from tests.support.eventually import eventually_sync


def recorded(path, kind: str) -> list[dict]:
    """The REST exchanges ("rest") or webhook deliveries ("webhook") the sandboxes recorded in `path`."""
    if not path.exists():
        return []
    records = map(json.loads, path.read_text(encoding="utf-8").splitlines())
    return [record for record in records if record["kind"] == kind]


@pytest.fixture(scope="session", autouse=True)
def spec_checked_exchanges(tmp_path_factory):
    """Every sandbox the end-to-end tests start records each REST exchange and webhook delivery; once the tests
    are over, every one of them is checked against RingCentral's spec and events.md (tests/spec)."""
    path = tmp_path_factory.mktemp("exchanges") / "exchanges.jsonl"
    os.environ["SANDBOX_RECORD_PATH"] = str(path)
    try:
        yield path
    finally:
        del os.environ["SANDBOX_RECORD_PATH"]
    exchanges = recorded(path, "rest")
    operations, problems = check_all(exchanges)
    deliveries = recorded(path, "webhook")
    problems += [p for record in deliveries for p in delivery_problems(record["delivery"])]
    print(f"\nspec check of the end-to-end runs: {len(exchanges)} REST exchanges over {len(operations)} operations"
          f" ({', '.join(sorted(operations))}), {len(deliveries)} webhook deliveries")  # fmt: skip
    assert problems == [], problems[:20]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, request):
    """One stack per test module; a module may set `STACK_ENV` for extra settings."""
    env = getattr(request.module, "STACK_ENV", {})
    with Stack(tmp_path_factory.mktemp("stack"), env=dict(env)) as running:
        yield running


@pytest.fixture(scope="module")
def sandbox(stack):
    client = SandboxClient(stack.sandbox_url)
    yield client
    client.close()


def bot_contents(transcript: dict) -> list[dict]:
    return [c for c in transcript["contents"] if c["author_kind"] == "bot"]


def has_bot_reply(transcript: dict) -> bool:
    return bool(bot_contents(transcript))



def outcome_of(stack, content_id: str, timeout: float = 20.0, event_type: str = "") -> str:
    """Waits until the orchestrator has processed the events about a content (of `event_type` only, when given);
    returns the last one's outcome."""
    database = stack.workdir / "orchestrator.sqlite3"

    def rows() -> list:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            return db.execute(
                "SELECT state, outcome FROM events WHERE content_id = ? AND (? = '' OR type = ?) ORDER BY seq",
                (content_id, event_type, event_type),
            ).fetchall()

    processed = eventually_sync(
        rows,
        lambda found: found and all(state != "pending" for state, _ in found),
        timeout=timeout,
        what=f"content {content_id} processed",
    )
    return processed[-1][1]
