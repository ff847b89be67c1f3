"""Every error of the adapter carries a reason a caller can branch on (google.rpc.ErrorInfo, domain
"botbridge.dimelo_adapter") and, when Dimelo said when to retry, a RetryInfo; read over real gRPC on loopback."""

import grpc
import httpx
import pytest
from adapter_testkit import FakeDimelo, dimelo_error, rpc_error

from botbridge.dimelo.v1 import dimelo_pb2
from service_kit.rich_errors import DIMELO_ADAPTER, error_info, retry_delay

THREAD = "/1.0/content_threads/t-1"


def get_thread(adapter):
    return adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="t-1"))


def create_reply(adapter, open_intervention_if_required: bool = False):
    request = dimelo_pb2.CreateReplyRequest(
        in_reply_to_id="c-1", body="Hi", open_intervention_if_required=open_intervention_if_required
    )
    return adapter.CreateReply(request)


@pytest.mark.parametrize(
    ("answer", "code", "reason"),
    [
        (httpx.ConnectError("connection refused"), grpc.StatusCode.UNAVAILABLE, "DIMELO_UNREACHABLE"),
        (httpx.ReadTimeout("timed out"), grpc.StatusCode.UNAVAILABLE, "DIMELO_NO_ANSWER"),
        (httpx.RemoteProtocolError("peer closed"), grpc.StatusCode.UNAVAILABLE, "DIMELO_NO_ANSWER"),
        (dimelo_error(500, "internal_error", "oops"), grpc.StatusCode.UNAVAILABLE, "DIMELO_FAILED"),
        (httpx.Response(200, text="OK"), grpc.StatusCode.UNAVAILABLE, "DIMELO_ANSWER_UNREADABLE"),
        (
            dimelo_error(401, "unauthorized", "Bad credentials"),
            grpc.StatusCode.PERMISSION_DENIED,
            "DIMELO_TOKEN_REFUSED",
        ),
        (
            dimelo_error(403, "invalid_access_token", "revoked"),
            grpc.StatusCode.PERMISSION_DENIED,
            "DIMELO_TOKEN_REFUSED",
        ),
        (
            dimelo_error(403, "forbidden", "You are not allowed"),
            grpc.StatusCode.PERMISSION_DENIED,
            "DIMELO_PERMISSION_DENIED",
        ),
        (dimelo_error(404, "not_found", "no such thread"), grpc.StatusCode.NOT_FOUND, "DIMELO_NOT_FOUND"),
        (dimelo_error(409, "thread_being_categorized", "busy"), grpc.StatusCode.ABORTED, "DIMELO_CONFLICT"),
        (dimelo_error(422, "invalid_state", "cannot"), grpc.StatusCode.FAILED_PRECONDITION, "DIMELO_REFUSED"),
        (
            dimelo_error(400, "missing_parameter", "thread_id"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "DIMELO_INVALID_REQUEST",
        ),
        (dimelo_error(405, "method_not_allowed", "no"), grpc.StatusCode.UNKNOWN, "DIMELO_INVALID_REQUEST"),
    ],
)
async def test_each_dimelo_outcome_has_its_reason(adapter, dimelo: FakeDimelo, answer, code, reason):
    """In: GET /1.0/content_threads/t-1 answered `answer` (every try). Out: `code` with ErrorInfo `reason` in the
    adapter's domain, the endpoint (when the call failed) and the HTTP status (when Dimelo refused) in its metadata,
    and no RetryInfo."""
    dimelo.answer("GET", THREAD, answer)

    error = await rpc_error(get_thread(adapter))

    assert error.code() == code
    info = error_info(error)
    assert (info.domain, info.reason) == ("botbridge.dimelo_adapter", reason)
    assert DIMELO_ADAPTER.name(DIMELO_ADAPTER.reason(error)) == reason
    if reason != "DIMELO_ANSWER_UNREADABLE":
        assert info.metadata["dimelo_endpoint"] == "GET /1.0/content_threads/:id"
    if isinstance(answer, httpx.Response) and not answer.is_success:
        assert info.metadata["http_status"] == str(answer.status_code)
    assert retry_delay(error) is None


async def test_rate_limited_carries_dimelos_retry_after(adapter, dimelo: FakeDimelo):
    """In: Dimelo answers 429 with Retry-After: 7 (beyond the adapter's 5 s wait, so it does not wait itself).
    Out: RESOURCE_EXHAUSTED, reason DIMELO_RATE_LIMITED, RetryInfo of 7 s; Dimelo asked once."""
    dimelo.answer("GET", THREAD, dimelo_error(429, "rate_limit_exceeded", "slow down", headers={"Retry-After": "7"}))

    error = await rpc_error(get_thread(adapter))

    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert DIMELO_ADAPTER.reason(error) == dimelo_pb2.ERROR_REASON_DIMELO_RATE_LIMITED
    assert retry_delay(error) == 7.0
    assert len(dimelo.requests) == 1


async def test_a_failure_with_retry_after_carries_it(adapter, dimelo: FakeDimelo, waits: list[float]):
    """In: Dimelo answers 503 with Retry-After: 2 on every try. Out: reason DIMELO_FAILED with RetryInfo of 2 s (the
    adapter waited 2 s between its own tries too)."""
    dimelo.answer("GET", THREAD, dimelo_error(503, "unavailable", "maintenance", headers={"Retry-After": "2"}))

    error = await rpc_error(get_thread(adapter))

    assert DIMELO_ADAPTER.reason(error) == dimelo_pb2.ERROR_REASON_DIMELO_FAILED
    assert retry_delay(error) == 2.0
    assert waits and set(waits) == {2.0}


async def test_a_reply_refused_for_want_of_an_intervention_says_so(adapter, dimelo: FakeDimelo):
    """In: CreateReply without open_intervention_if_required; Dimelo answers 403 in_reply_to_not_under_intervention.
    Out: PERMISSION_DENIED with reason INTERVENTION_REQUIRED (Dimelo's wording read by the adapter, not the caller)."""
    refusal = dimelo_error(403, "in_reply_to_not_under_intervention", "the content is not under an intervention")
    dimelo.answer("POST", "/1.0/contents", refusal)

    error = await rpc_error(create_reply(adapter))

    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert DIMELO_ADAPTER.reason(error) == dimelo_pb2.ERROR_REASON_INTERVENTION_REQUIRED


async def test_intervention_in_words_elsewhere_is_not_intervention_required(adapter, dimelo: FakeDimelo):
    """In: CloseIntervention answered 403 intervention_already_closed. Out: DIMELO_PERMISSION_DENIED: only a reply's
    refusal can mean "an intervention is required"."""
    refusal = dimelo_error(403, "intervention_already_closed", "intervention 'i-1' is already closed")
    dimelo.answer("PUT", "/1.0/interventions/i-1/close", refusal)

    error = await rpc_error(adapter.CloseIntervention(dimelo_pb2.CloseInterventionRequest(intervention_id="i-1")))

    assert DIMELO_ADAPTER.reason(error) == dimelo_pb2.ERROR_REASON_DIMELO_PERMISSION_DENIED


async def test_a_reply_with_no_answer_may_have_landed(adapter, dimelo: FakeDimelo):
    """In: POST /1.0/contents times out reading the answer. Out: reason DIMELO_NO_ANSWER (its fate is unknown), one
    request (a reply is never sent twice blindly)."""
    dimelo.answer("POST", "/1.0/contents", httpx.ReadTimeout("timed out"))

    error = await rpc_error(create_reply(adapter))

    assert DIMELO_ADAPTER.reason(error) == dimelo_pb2.ERROR_REASON_DIMELO_NO_ANSWER
    assert len(dimelo.requests) == 1


async def test_a_missing_field_names_it_in_the_metadata(adapter, dimelo: FakeDimelo):
    """In: CreateReply with neither in_reply_to_id nor body. Out: INVALID_ARGUMENT, reason MISSING_FIELD, metadata
    fields "in_reply_to_id,body"; Dimelo not called."""
    error = await rpc_error(adapter.CreateReply(dimelo_pb2.CreateReplyRequest()))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert DIMELO_ADAPTER.reason(error) == dimelo_pb2.ERROR_REASON_MISSING_FIELD
    assert error_info(error).metadata["fields"] == "in_reply_to_id,body"
    assert dimelo.requests == []
