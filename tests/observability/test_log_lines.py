"""Log lines carry the trace id of the span they are written in and the fields bound around them."""

import asyncio
import json
import logging

from service_kit.logs import JsonFormatter, log_fields
from service_kit.tracing import tracer


def line(message: str, **extra: object) -> dict:
    record = logging.makeLogRecord({"name": "test", "levelno": logging.INFO, "levelname": "INFO", "msg": message})
    record.__dict__.update(extra)
    return json.loads(JsonFormatter("test", secrets=["s3cret"]).format(record))


def test_a_line_in_a_span_carries_its_trace_id_and_one_outside_none(spans):
    """In: a line written inside a recording span, one outside. Out: the first has the span's trace id (32 hex
    digits), the second no trace_id field."""
    with tracer.start_as_current_span("step") as span:
        inside = line("inside")
    assert inside["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "trace_id" not in line("outside")


async def test_bound_fields_reach_every_line_of_the_task_and_the_tasks_it_starts():
    """In: event ids bound around some work that logs, itself and in a task it starts; an explicit extra field.
    Out: every line inside has the ids, the explicit field wins over a bound one, a line after has none."""

    async def in_a_task() -> dict:
        return line("in a task")

    with log_fields(event_id="e-1", thread_id="t-1"):
        first = line("first")
        later = await asyncio.create_task(in_a_task())
        overridden = line("explicit", thread_id="t-2")
    after = line("after")
    assert (first["event_id"], first["thread_id"]) == ("e-1", "t-1")
    assert later["event_id"] == "e-1"
    assert overridden["thread_id"] == "t-2"
    assert "event_id" not in after


def test_secrets_are_masked_in_bound_fields_too():
    """In: a secret passed as a bound field. Out: the line shows it masked."""
    with log_fields(token="s3cret"):
        assert line("x")["token"] == "[redacted]"
