"""The orchestrator logs one JSON line per step with the event's ids; customers' words only with LOG_MESSAGE_BODIES."""

import json
import logging
from collections.abc import Iterator

import pytest

from service_kit.logs import JsonFormatter
from tests.orchestrator.conftest import customer_message, settled
from tests.support.eventually import eventually

WORDS = "My parcel number is 12345, where is it?"


class JsonLines(logging.Handler):
    """Keeps each record as the services write it: formatted when logged (the bound fields are read then)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter("orchestrator"))
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines() -> Iterator[JsonLines]:
    handler, root = JsonLines(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize("bodies", [False, True])
async def test_steps_are_logged_with_ids_and_bodies_only_when_asked(
    peers, settings_for, start_orchestrator, json_lines: JsonLines, bodies: bool
):
    """In: one customer message answered, LOG_MESSAGE_BODIES off then on. Out: the intake, the AI's decision, the
    reply and the outcome each logged with the event, thread and content ids; the customer's words and the answer
    in the lines only when on."""
    running = await start_orchestrator(settings_for(log_message_bodies=bodies))
    event = customer_message(thread_id="thread-logs", body=WORDS)
    await running.submit(event)
    await settled(running, "thread-logs", 1)
    expected = ["event stored for processing", "the AI answered", "reply posted", "processed: answered"]

    def steps() -> list[dict]:
        return [line for line in json_lines.lines if line.get("event_id") == event.id]

    # The last line is written just after the store records the outcome, which `settled` waits for.
    logged_steps = await eventually(steps, lambda found: "processed: answered" in [line["msg"] for line in found])
    assert [line["msg"] for line in logged_steps if line["msg"] in expected] == expected
    assert all((line["thread_id"], line["content_id"]) == ("thread-logs", event.content.id) for line in logged_steps)
    logged = json.dumps(json_lines.lines)
    assert (WORDS in logged) is bodies
    assert ("Hello!" in logged) is bodies  # the fake AI's answer
