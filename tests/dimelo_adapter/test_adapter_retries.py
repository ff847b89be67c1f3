"""Safe calls are retried with backoff or Dimelo's Retry-After; a reply is never posted twice by a blind retry."""

import grpc
import httpx
import pytest
from adapter_testkit import (
    MAX_RETRIES,
    RETRY_BASE_SECONDS,
    RETRY_MAX_WAIT_SECONDS,
    FakeDimelo,
    content_json,
    dimelo_error,
    intervention_json,
    rpc_error,
    thread_json,
)

from botbridge.dimelo.v1 import dimelo_pb2

RATE_LIMITED = "Rate limit exceeded (500 requests per minute max)"
REPLY = dimelo_pb2.CreateReplyRequest(in_reply_to_id="c-customer", body="Hello")


async def test_a_read_waits_as_long_as_retry_after_says_on_429(adapter, dimelo: FakeDimelo, waits):
    """In: 429 with Retry-After: 3, then 200. Out: the thread, after one wait of exactly 3 s."""
    dimelo.answer(
        "GET",
        "/1.0/content_threads/t-1",
        dimelo_error(429, "rate_limit_exceeded", RATE_LIMITED, headers={"Retry-After": "3"}),
        httpx.Response(200, json=thread_json()),
    )

    response = await adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="t-1"))

    assert response.thread.id == "t-1"
    assert waits == [3.0]
    assert len(dimelo.requests) == 2


async def test_a_read_is_retried_on_503_with_growing_jittered_waits(adapter, dimelo: FakeDimelo, waits):
    """In: 503, 503, 503 (no Retry-After), then 200. Out: success after three waits, each within its doubling window."""
    unavailable = httpx.Response(503, text="Service Unavailable")
    dimelo.answer("GET", "/1.0/status", unavailable, unavailable, unavailable, httpx.Response(200, json=[]))

    response = await adapter.GetAgentAvailability(dimelo_pb2.GetAgentAvailabilityRequest(channel_id="ch"))

    assert response.connected_agents == 0
    assert len(dimelo.requests) == 4
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        assert 0 <= wait <= RETRY_BASE_SECONDS * 2**attempt


async def test_a_503_retry_after_is_honoured(adapter, dimelo: FakeDimelo, waits):
    """In: 503 with Retry-After: 1, then 200. Out: success after a wait of 1 s."""
    dimelo.answer(
        "GET",
        "/1.0/contents/c-1",
        httpx.Response(503, headers={"Retry-After": "1"}),
        httpx.Response(200, json=content_json(id="c-1")),
    )

    await adapter.GetContent(dimelo_pb2.GetContentRequest(content_id="c-1"))

    assert waits == [1.0]


async def test_a_retry_after_longer_than_the_longest_wait_ends_the_retries(adapter, dimelo: FakeDimelo, waits):
    """In: 429 asking to wait an hour. Out: RESOURCE_EXHAUSTED at once, saying how long Dimelo asked to wait."""
    dimelo.answer(
        "GET",
        "/1.0/content_threads/t-1",
        dimelo_error(429, "rate_limit_exceeded", RATE_LIMITED, headers={"Retry-After": "3600"}),
    )

    error = await rpc_error(adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="t-1")))

    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "asking to wait 3600 s" in error.details()
    assert (len(dimelo.requests), waits) == (1, [])
    assert RETRY_MAX_WAIT_SECONDS < 3600


async def test_retries_are_bounded(adapter, dimelo: FakeDimelo, waits):
    """In: a read that always times out. Out: UNAVAILABLE after 1 + DIMELO_MAX_RETRIES attempts."""
    dimelo.answer("GET", "/1.0/content_threads/t-1", httpx.ReadTimeout("timed out"))

    error = await rpc_error(adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="t-1")))

    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert f"no answer from Dimelo (ReadTimeout: timed out) after {MAX_RETRIES + 1} attempts" in error.details()
    assert (len(dimelo.requests), len(waits)) == (MAX_RETRIES + 1, MAX_RETRIES)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.Response(500, json={"error": "internal_error", "message": "oops", "status": 500}),
        httpx.Response(503, text="Service Unavailable", headers={"Retry-After": "1"}),
    ],
)
async def test_a_reply_is_not_posted_again_once_it_may_have_reached_dimelo(adapter, dimelo: FakeDimelo, failure):
    """In: POST /1.0/contents times out, loses its answer, or gets a 5xx. Out: UNAVAILABLE after one request,
    telling the caller to look with FindReply before posting again."""
    dimelo.answer("POST", "/1.0/contents", failure, httpx.Response(201, json=content_json()))

    error = await rpc_error(adapter.CreateReply(REPLY))

    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert "FindReply" in error.details()
    assert len(dimelo.requests) == 1


@pytest.mark.parametrize(
    "refusal",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("timed out"),
        httpx.PoolTimeout("no free connection"),
        dimelo_error(429, "rate_limit_exceeded", RATE_LIMITED, headers={"Retry-After": "2"}),
    ],
)
async def test_a_reply_is_retried_when_dimelo_certainly_did_not_take_it(adapter, dimelo: FakeDimelo, refusal):
    """In: POST /1.0/contents fails before reaching Dimelo, or is rate limited, then succeeds. Out: the reply."""
    dimelo.answer("POST", "/1.0/contents", refusal, httpx.Response(201, json=content_json()))

    response = await adapter.CreateReply(REPLY)

    assert response.content.id == "c-reply"
    assert len(dimelo.requests) == 2


async def test_opening_an_intervention_already_open_fails_its_precondition(adapter, dimelo: FakeDimelo):
    """In: 422 on POST /1.0/interventions, and the look-up of the open one failing. Out: FAILED_PRECONDITION with
    Dimelo's words, after one POST (never sent again)."""
    dimelo.answer("POST", "/1.0/interventions", dimelo_error(422, "unprocessable", "Intervention already opened"))

    error = await rpc_error(adapter.OpenIntervention(dimelo_pb2.OpenInterventionRequest(content_id="c-1")))

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "Intervention already opened" in error.details()
    assert [r.method for r in dimelo.requests].count("POST") == 1


async def test_recategorizing_is_retried_while_the_thread_is_being_categorized(adapter, dimelo: FakeDimelo):
    """In: 409 "being categorized", then 200. Out: the recategorized thread after two identical requests."""
    dimelo.answer(
        "PUT",
        "/1.0/content_threads/t-1/update_categories",
        dimelo_error(409, "conflict", "Thread is already being categorized"),
        httpx.Response(200, json=thread_json(thread_category_ids=["cat-agents"])),
    )

    response = await adapter.UpdateThreadCategories(
        dimelo_pb2.UpdateThreadCategoriesRequest(thread_id="t-1", category_ids=["cat-agents"])
    )

    assert list(response.thread.thread_category_ids) == ["cat-agents"]
    assert [request.content for request in dimelo.requests] == [b"thread_category_ids%5B%5D=cat-agents"] * 2


async def test_closing_a_thread_is_retried_after_a_timeout(adapter, dimelo: FakeDimelo):
    """In: PUT close times out, then 200. Out: the thread; closing twice is harmless."""
    dimelo.answer(
        "PUT", "/1.0/content_threads/t-1/close", httpx.ReadTimeout("timed out"), httpx.Response(200, json=thread_json())
    )

    response = await adapter.CloseThread(dimelo_pb2.CloseThreadRequest(thread_id="t-1"))

    assert response.thread.id == "t-1"
    assert len(dimelo.requests) == 2


async def test_an_intervention_already_being_closed_after_a_retry_is_reported_in_progress(adapter, dimelo: FakeDimelo):
    """In: PUT close answered 503, then 409 "already being closed". Out: ABORTED after two requests, saying the
    earlier attempt started the close."""
    dimelo.answer(
        "PUT",
        "/1.0/interventions/i-1/close",
        httpx.Response(503),
        dimelo_error(409, "conflict", "Intervention is already being closed"),
        httpx.Response(200, json=intervention_json(closed=True)),
    )

    error = await rpc_error(adapter.CloseIntervention(dimelo_pb2.CloseInterventionRequest(intervention_id="i-1")))

    assert error.code() == grpc.StatusCode.ABORTED
    assert "after 2 attempts" in error.details()
    assert "an earlier attempt of this call may have reached Dimelo and started the job" in error.details()
    assert len(dimelo.requests) == 2


async def test_an_intervention_being_closed_by_someone_else_is_aborted_at_once(adapter, dimelo: FakeDimelo):
    """In: 409 on the first PUT close. Out: ABORTED after one request, saying a job is in progress."""
    dimelo.answer("PUT", "/1.0/interventions/i-1/close", dimelo_error(409, "conflict", "Already being closed"))

    error = await rpc_error(adapter.CloseIntervention(dimelo_pb2.CloseInterventionRequest(intervention_id="i-1")))

    assert error.code() == grpc.StatusCode.ABORTED
    assert "a job on it is in progress" in error.details()
    assert len(dimelo.requests) == 1
