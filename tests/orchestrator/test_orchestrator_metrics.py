"""The orchestrator counts what the bot did with each message: handovers by reason and agents, no-agent
fallbacks by policy, the AI's results, dead letters."""

import grpc
from prometheus_client import REGISTRY

from botbridge.ai.v1 import ai_pb2
from tests.orchestrator.conftest import customer_message, settled
from tests.support.eventually import eventually


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def outcome_counted(outcome: str, at_least: float, timeout: float = 5.0) -> None:
    """Waits until the scheduler has counted the outcome (it counts just after storing the event's end)."""
    await eventually(
        lambda: sample("botbridge_events_processed_total", type="content.imported", outcome=outcome),
        lambda count: count >= at_least,
        timeout=timeout,
        interval=0.01,
        what=f"{outcome} counted",
    )


async def test_a_handover_with_no_agent_kept_with_the_bot_is_counted_once(peers, settings_for, start_orchestrator):
    """In: the AI hands over for low confidence, no agent is available, NO_AGENT_POLICY=keep_with_bot, and the
    first notice fails once with no answer from Dimelo (retried once the failed call's 0.5 s deadline has passed,
    the notice not found). Out: one handover (low_confidence, agents none), one keep_with_bot fallback,
    one kept_with_bot outcome and one retry."""
    ai, dimelo, _ = peers
    ai.response = ai_pb2.RespondResponse(handover=ai_pb2.Handover(reason=ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE))
    dimelo.available_agents = 0
    dimelo.failures["CreateReply"] = [grpc.StatusCode.UNAVAILABLE]
    imported = {"type": "content.imported"}
    before = (
        sample("botbridge_handovers_total", reason="low_confidence", agents="none"),
        sample("botbridge_no_agent_fallbacks_total", policy="keep_with_bot"),
        sample("botbridge_events_processed_total", **imported, outcome="kept_with_bot"),
        sample("botbridge_events_processed_total", **imported, outcome="retry"),
        sample("botbridge_ai_requests_total", result="handover"),
    )
    running = await start_orchestrator(settings_for(no_agent_policy="keep_with_bot", adapter_timeout_seconds=0.5))

    await running.submit(customer_message(thread_id="thread-metrics-1"))
    [record] = await settled(running, "thread-metrics-1", 1)

    assert record.outcome.startswith("handover wanted (low_confidence)")
    await outcome_counted("kept_with_bot", before[2] + 1)
    after = (
        sample("botbridge_handovers_total", reason="low_confidence", agents="none"),
        sample("botbridge_no_agent_fallbacks_total", policy="keep_with_bot"),
        sample("botbridge_events_processed_total", **imported, outcome="kept_with_bot"),
        sample("botbridge_events_processed_total", **imported, outcome="retry"),
        sample("botbridge_ai_requests_total", result="handover"),
    )
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1, 1]


async def test_an_ai_failure_and_a_dead_letter_are_counted(peers, settings_for, start_orchestrator):
    """In: the AI failing with INTERNAL (a handover, ai_error), then Dimelo refusing the notice and the
    recategorization with PERMISSION_DENIED (not retried; the fallback handover fails too). Out: one AI error, one
    dead letter (in both counters), and no handover counted (it never completed)."""
    ai, dimelo, _ = peers
    ai.failures = [grpc.StatusCode.INTERNAL]
    dimelo.failures["CreateReply"] = [grpc.StatusCode.PERMISSION_DENIED] * 2
    dimelo.failures["UpdateThreadCategories"] = [grpc.StatusCode.PERMISSION_DENIED]
    before = (
        sample("botbridge_ai_requests_total", result="error"),
        sample("botbridge_events_processed_total", type="content.imported", outcome="dead"),
        sample("botbridge_handovers_total", reason="ai_error", agents="available"),
        sample("botbridge_events_dead_lettered_total", type="content.imported"),
    )
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message(thread_id="thread-metrics-2"))
    [record] = await settled(running, "thread-metrics-2", 1)

    assert record.state == "dead"
    await outcome_counted("dead", before[1] + 1)
    after = (
        sample("botbridge_ai_requests_total", result="error"),
        sample("botbridge_events_processed_total", type="content.imported", outcome="dead"),
        sample("botbridge_handovers_total", reason="ai_error", agents="available"),
        sample("botbridge_events_dead_lettered_total", type="content.imported"),
    )
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 0, 1]
