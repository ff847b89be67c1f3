"""The Python load generator the bench falls back to without wrk, against the bench's bare FastAPI baseline."""

from bench.baselines import PATH, bare_app
from bench.delivery import write_template
from bench.http_load import WebhookTarget, run_asyncio
from dimelo_sandbox.serve import start_server


async def test_the_python_generator_counts_answers_and_latencies(tmp_path):
    # In: one second of closed-loop POSTs of the seed delivery on 4 connections to a bare endpoint that answers 200.
    # Out: a result with requests counted, no errors, the elapsed time and ordered percentiles (no speed asserted).
    server = await start_server(bare_app(), "127.0.0.1", 0)
    try:
        target = WebhookTarget(f"{server.url}{PATH}", write_template(tmp_path / "delivery.json"), "a-secret")

        result = await run_asyncio(target, connections=4, seconds=1.0, tag="test")
    finally:
        await server.stop()

    assert result.requests > 0
    assert result.errors == 0
    assert result.seconds >= 1.0
    assert 0 < result.p50_ms <= result.p99_ms


def test_the_template_gives_every_request_its_own_ids(tmp_path):
    # In: the delivery template written by the bench. Out: the seed delivery with id placeholders in the delivery id
    # and the event id, and a content marked as written by a user (stored by the orchestrator, not answered).
    text = write_template(tmp_path / "delivery.json").read_text(encoding="utf-8")

    assert text.count("__DELIVERY_ID__") == 1
    assert text.count("__EVENT_ID__") == 1
    assert '"creator_id": "bench' in text
