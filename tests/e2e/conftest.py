"""The whole stack as real processes (the same `python -m` entry points as the images) against the sandbox."""

import json
import os

import pytest

from devstack.processes import Stack
from devstack.sandbox_client import SandboxClient
from tests.spec.spec_check import check_all, delivery_problems
from tests.support.eventually import eventually_sync
from tests.support.thread_page import EventFate, event_fates


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
    print(
        f"\nspec check of the end-to-end runs: {len(exchanges)} REST exchanges over {len(operations)} operations"
        f" ({', '.join(sorted(operations))}), {len(deliveries)} webhook deliveries"
    )
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


def outcome_of(stack, content: dict, timeout: float = 20.0, event_type: str = "") -> str:
    """Waits until the orchestrator has processed the events about `content` (a Dimelo content; of `event_type`
    only, when given), as its thread page shows them; returns the last one's outcome."""

    def fates() -> list[EventFate]:
        return [
            fate
            for fate in event_fates(stack.services["orchestrator"].metrics_url, content["thread_id"])
            if fate.content_id == content["id"] and event_type in ("", fate.type)
        ]

    processed = eventually_sync(
        fates,
        lambda found: found and not any(fate.pending for fate in found),
        timeout=timeout,
        what=f"content {content['id']} processed",
    )
    return processed[-1].fate
