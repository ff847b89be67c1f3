"""CreateReply with open_intervention_if_required: a reply refused for want of an open intervention opens one on
the content and is posted once more."""

import grpc
import httpx
import pytest
from adapter_testkit import FakeDimelo, content_json, dimelo_error, form, intervention_json, rpc_error

from botbridge.dimelo.v1 import dimelo_pb2

NOT_UNDER_INTERVENTION = dimelo_error(
    403, "in_reply_to_not_under_intervention", "in_reply_to content is not under an open intervention"
)
REPLY = dimelo_pb2.CreateReplyRequest(in_reply_to_id="c-customer", body="Hello", open_intervention_if_required=True)


@pytest.mark.parametrize(
    "refusal",
    [
        NOT_UNDER_INTERVENTION,
        dimelo_error(422, "unprocessable_entity", "Content must be under an open Intervention to be replied"),
    ],
)
async def test_a_refused_reply_opens_an_intervention_and_is_posted_again(adapter, dimelo: FakeDimelo, refusal):
    """In: the first POST /1.0/contents refused for want of an intervention. Out: POST /1.0/interventions on the
    content, the reply posted again, and the opened intervention's id returned."""
    dimelo.answer("POST", "/1.0/contents", refusal, httpx.Response(201, json=content_json()))
    dimelo.answer("POST", "/1.0/interventions", httpx.Response(200, json=intervention_json(id="i-9")))

    response = await adapter.CreateReply(REPLY)

    assert [(r.method, r.url.path, form(r)) for r in dimelo.requests] == [
        ("POST", "/1.0/contents", [("in_reply_to_id", "c-customer"), ("body", "Hello")]),
        ("POST", "/1.0/interventions", [("content_id", "c-customer")]),
        ("POST", "/1.0/contents", [("in_reply_to_id", "c-customer"), ("body", "Hello")]),
    ]
    assert response.content.id == "c-reply"
    assert response.opened_intervention_id == "i-9"


async def test_without_the_flag_the_refusal_is_returned(adapter, dimelo: FakeDimelo):
    """In: the same refusal, open_intervention_if_required unset. Out: PERMISSION_DENIED, no intervention opened."""
    dimelo.answer("POST", "/1.0/contents", NOT_UNDER_INTERVENTION)

    error = await rpc_error(adapter.CreateReply(dimelo_pb2.CreateReplyRequest(in_reply_to_id="c-customer", body="Hi")))

    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "in_reply_to_not_under_intervention" in error.details()
    assert [r.url.path for r in dimelo.requests] == ["/1.0/contents"]


async def test_a_refusal_for_another_reason_opens_nothing(adapter, dimelo: FakeDimelo):
    """In: a 403 that is about rights, not interventions. Out: PERMISSION_DENIED after the one POST."""
    dimelo.answer("POST", "/1.0/contents", dimelo_error(403, "forbidden", "You cannot reply on this source"))

    error = await rpc_error(adapter.CreateReply(REPLY))

    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert len(dimelo.requests) == 1


async def test_a_failure_after_opening_names_the_opened_intervention(adapter, dimelo: FakeDimelo):
    """In: the reply refused, the intervention opened, the second POST failing with 500. Out: UNAVAILABLE naming
    the intervention the adapter opened, so the caller can close it; the reply posted no third time."""
    dimelo.answer("POST", "/1.0/contents", NOT_UNDER_INTERVENTION, httpx.Response(500))
    dimelo.answer("POST", "/1.0/interventions", httpx.Response(200, json=intervention_json(id="i-9")))

    error = await rpc_error(adapter.CreateReply(REPLY))

    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert "the adapter had opened intervention 'i-9'" in error.details()
    assert [r.url.path for r in dimelo.requests].count("/1.0/contents") == 2


async def test_an_intervention_that_cannot_be_opened_fails_the_reply(adapter, dimelo: FakeDimelo):
    """In: the reply refused, and POST /1.0/interventions answered 422. Out: FAILED_PRECONDITION, no second post."""
    dimelo.answer("POST", "/1.0/contents", NOT_UNDER_INTERVENTION)
    dimelo.answer("POST", "/1.0/interventions", dimelo_error(422, "unprocessable", "Intervention cannot be opened"))

    error = await rpc_error(adapter.CreateReply(REPLY))

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "POST /1.0/interventions" in error.details()
    assert [r.url.path for r in dimelo.requests] == ["/1.0/contents", "/1.0/interventions"]


async def test_an_intervention_already_open_is_found_and_returned(adapter, dimelo: FakeDimelo):
    """In: POST /1.0/interventions refused with 422 (one is already open on the thread). Out: the content read for
    its thread, the thread's interventions listed, and the open one (not the closed one) returned."""
    dimelo.answer("POST", "/1.0/interventions", dimelo_error(422, "unprocessable_entity", "already opened"))
    dimelo.answer("GET", "/1.0/contents/c-customer", httpx.Response(200, json=content_json(id="c-customer")))
    listing = {
        "count": 2,
        "offset": 0,
        "limit": 100,
        "records": [intervention_json(id="i-old", closed=True), intervention_json(id="i-open")],
    }
    dimelo.answer("GET", "/1.0/interventions", httpx.Response(200, json=listing))

    response = await adapter.OpenIntervention(dimelo_pb2.OpenInterventionRequest(content_id="c-customer"))

    assert response.intervention.id == "i-open"
    assert [(r.method, r.url.path) for r in dimelo.requests][1:] == [
        ("GET", "/1.0/contents/c-customer"),
        ("GET", "/1.0/interventions"),
    ]
    assert dimelo.requests[2].url.params["thread_id"] == "t-1"


async def test_already_opened_with_none_open_on_the_thread_stays_a_refusal(adapter, dimelo: FakeDimelo):
    """In: 422 on opening, and no open intervention on the thread. Out: the refusal, FAILED_PRECONDITION."""
    dimelo.answer("POST", "/1.0/interventions", dimelo_error(422, "unprocessable_entity", "already opened"))
    dimelo.answer("GET", "/1.0/contents/c-customer", httpx.Response(200, json=content_json(id="c-customer")))
    empty = {"count": 0, "offset": 0, "limit": 100, "records": []}
    dimelo.answer("GET", "/1.0/interventions", httpx.Response(200, json=empty))

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await adapter.OpenIntervention(dimelo_pb2.OpenInterventionRequest(content_id="c-customer"))

    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
