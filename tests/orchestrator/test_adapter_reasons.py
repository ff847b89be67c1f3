"""The orchestrator acts on the adapter's reasons (ErrorInfo, RetryInfo), never on its codes alone or its wording:
whether a failed reply may still land, when to try again, when a refusal is worked around. Over real gRPC, with a
fake adapter that fails as the real one does (tests/dimelo_adapter/test_adapter_error_reasons.py shows the real one
sending these reasons)."""

import asyncio
import time

import grpc
import pytest

from botbridge.ai.v1 import ai_pb2
from botbridge.dimelo.v1 import dimelo_pb2
from tests.orchestrator.conftest import customer_message, settled
from tests.orchestrator.fakes import Failure
from tests.support.eventually import eventually

UNAVAILABLE = grpc.StatusCode.UNAVAILABLE
RATE_LIMITED = Failure(grpc.StatusCode.RESOURCE_EXHAUSTED, dimelo_pb2.ERROR_REASON_DIMELO_RATE_LIMITED)


async def first_attempt_failed(running, thread_id: str = "thread-1"):
    """The thread's one event once its first attempt failed and it waits for the next."""
    [event] = await eventually(
        lambda: running.orchestrator.store.thread_events(thread_id),
        lambda events: events and events[0].attempts >= 1,
        timeout=5,
        interval=0.01,
        what="first attempt failed",
    )
    return event


@pytest.mark.parametrize(
    ("failure", "may_still_land"),
    [
        (Failure(UNAVAILABLE, dimelo_pb2.ERROR_REASON_DIMELO_UNREACHABLE), False),
        (RATE_LIMITED, False),
        (Failure(grpc.StatusCode.ABORTED, dimelo_pb2.ERROR_REASON_DIMELO_CONFLICT), False),
        (Failure(UNAVAILABLE, dimelo_pb2.ERROR_REASON_DIMELO_NO_ANSWER), True),
        (Failure(UNAVAILABLE, dimelo_pb2.ERROR_REASON_DIMELO_FAILED), True),
        (Failure(UNAVAILABLE, dimelo_pb2.ERROR_REASON_DIMELO_ANSWER_UNREADABLE), True),
        (Failure(UNAVAILABLE, None), True),
    ],
    ids=lambda value: value.reason if isinstance(value, Failure) else str(value),
)
async def test_a_failed_reply_may_still_land_only_when_the_reason_says_so(
    peers, settings_for, start_orchestrator, failure, may_still_land
):
    """In: the answer's CreateReply fails once with `failure` (all of them transient: UNAVAILABLE, RESOURCE_EXHAUSTED
    or ABORTED). Out: the journal's posting step still expects the reply until its deadline (`settled_by` in the
    future: the next attempt looks for it before posting again) when the reason leaves its fate unknown (no answer,
    Dimelo failed, answer unreadable, no reason at all), and expects nothing (0) when Dimelo never got it or refused
    it."""
    _, dimelo, _ = peers
    dimelo.failures["CreateReply"] = [failure]
    running = await start_orchestrator(settings_for(retry_base_seconds=60.0))

    await running.submit(customer_message(id="c-1"))
    event = await first_attempt_failed(running)

    assert event.state == "pending"
    settled_by = (await running.orchestrator.store.journal("c-1"))["posting"]["settled_by"]
    assert (settled_by > time.time()) is may_still_land
    assert settled_by == 0.0 or may_still_land


@pytest.mark.parametrize(("retry_after", "answered_at_once"), [(7.0, False), (None, True)])
async def test_dimelos_retry_after_holds_the_next_attempt(
    peers, settings_for, start_orchestrator, retry_after, answered_at_once
):
    """In: CreateReply rate-limited once (DIMELO_RATE_LIMITED), with RetryInfo 7 s or none; RETRY_BASE_SECONDS 0.01.
    Out: with RetryInfo the message still waits after a second (no retry before Dimelo's 7 s); without, it is
    answered on the second attempt at once."""
    _, dimelo, _ = peers
    dimelo.failures["CreateReply"] = [Failure(RATE_LIMITED.code, RATE_LIMITED.reason, retry_after)]
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message())
    if answered_at_once:
        [event] = await settled(running, "thread-1", 1, timeout=1.0)
        assert (event.outcome, event.attempts) == ("answered", 2)
        return
    await first_attempt_failed(running)
    await asyncio.sleep(1.0)  # the backoff alone would have retried a hundred times over
    [event] = await running.orchestrator.store.thread_events("thread-1")
    assert (event.state, event.attempts) == ("pending", 1)
    assert len(dimelo.calls["CreateReply"]) == 1


async def test_a_structured_reply_refused_for_another_reason_is_not_reposted_as_a_list(
    peers, settings_for, start_orchestrator
):
    """In: a select refused with FAILED_PRECONDITION whose reason is INTERVENTION_REQUIRED (not about the select:
    Dimelo's 422 worded so). Out: no numbered list posted in its place; the customer is handed over
    (processing_failed), the refusal's reason in the outcome. Only DIMELO_REFUSED makes the list fallback."""
    ai, dimelo, _ = peers
    ai.response = ai_pb2.RespondResponse(
        answer=ai_pb2.Answer(text="Which one?", choices=[ai_pb2.Choice(title="A"), ai_pb2.Choice(title="B")])
    )
    refused = Failure(grpc.StatusCode.FAILED_PRECONDITION, dimelo_pb2.ERROR_REASON_INTERVENTION_REQUIRED)
    dimelo.failures["CreateReply"] = [refused]
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message(capabilities_supported=["select"]))
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome.startswith("handed over (processing_failed)")
    assert "FAILED_PRECONDITION (INTERVENTION_REQUIRED)" in event.outcome
    assert [reply.body for reply in dimelo.replies] == ["Passing you to an agent."]


@pytest.mark.parametrize(
    ("reason", "left_open"),
    [
        (dimelo_pb2.ERROR_REASON_DIMELO_PERMISSION_DENIED, True),
        (dimelo_pb2.ERROR_REASON_DIMELO_REFUSED, True),
        (dimelo_pb2.ERROR_REASON_DIMELO_TOKEN_REFUSED, False),
    ],
)
async def test_closing_the_intervention_goes_on_only_after_a_tolerated_reason(
    peers, settings_for, start_orchestrator, reason, left_open
):
    """In: a finished conversation whose CloseIntervention is refused with PERMISSION_DENIED and `reason`.
    Out: DIMELO_PERMISSION_DENIED (e.g. already closed) or DIMELO_REFUSED: answered, the intervention left open;
    DIMELO_TOKEN_REFUSED (same code): no going on as if nothing happened, the message is handed over."""
    ai, dimelo, _ = peers
    ai.response = ai_pb2.RespondResponse(answer=ai_pb2.Answer(text="Bye!", conversation_finished=True))
    dimelo.failures["CloseIntervention"] = [Failure(grpc.StatusCode.PERMISSION_DENIED, reason)]
    running = await start_orchestrator(settings_for(open_intervention=True))

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome.startswith("answered" if left_open else "handed over (processing_failed)")


async def test_a_retry_after_the_reply_opens_no_second_intervention(peers, settings_for, start_orchestrator):
    """In: a finished conversation with OPEN_INTERVENTION and CLOSE_THREAD_WHEN_FINISHED; CloseThread fails once
    (UNAVAILABLE) after the reply was posted and the intervention closed. Out: the retry closes the thread without
    opening another intervention or posting again: one OpenIntervention, one CreateReply, one CloseIntervention."""
    ai, dimelo, _ = peers
    ai.response = ai_pb2.RespondResponse(answer=ai_pb2.Answer(text="Bye!", conversation_finished=True))
    dimelo.failures["CloseThread"] = [grpc.StatusCode.UNAVAILABLE]
    running = await start_orchestrator(settings_for(open_intervention=True, close_thread_when_finished=True))

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome == "answered; conversation finished, intervention and thread closed"
    calls = {name: len(dimelo.calls[name]) for name in ("OpenIntervention", "CreateReply", "CloseIntervention")}
    assert calls == {"OpenIntervention": 1, "CreateReply": 1, "CloseIntervention": 1}
    assert len(dimelo.calls["CloseThread"]) == 2
