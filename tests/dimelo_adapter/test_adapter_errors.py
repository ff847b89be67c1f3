"""Dimelo's refusals and unreadable answers leave as the gRPC status the proto promises, with an actionable message,
logged once, and the token never shows."""

import logging

import grpc
import httpx
import pytest
from adapter_testkit import MAX_RETRIES, TOKEN, FakeDimelo, content_json, dimelo_error, rpc_error

from botbridge.dimelo.v1 import dimelo_pb2
from service_kit.logs import JsonFormatter


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, grpc.StatusCode.INVALID_ARGUMENT),
        (401, grpc.StatusCode.PERMISSION_DENIED),
        (403, grpc.StatusCode.PERMISSION_DENIED),
        (404, grpc.StatusCode.NOT_FOUND),
        (409, grpc.StatusCode.ABORTED),
        (422, grpc.StatusCode.FAILED_PRECONDITION),
        (429, grpc.StatusCode.RESOURCE_EXHAUSTED),
        (500, grpc.StatusCode.UNAVAILABLE),
        (503, grpc.StatusCode.UNAVAILABLE),
    ],
)
async def test_each_dimelo_status_maps_to_its_grpc_code(adapter, dimelo: FakeDimelo, status, code):
    """In: Dimelo refuses GET /1.0/content_threads/t-1 with `status`. Out: `code`, the message naming the call,
    Dimelo's status, error identifier and message."""
    dimelo.answer("GET", "/1.0/content_threads/t-1", dimelo_error(status, "some_error", "Dimelo's own words"))

    error = await rpc_error(adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="t-1")))

    assert error.code() == code
    assert error.details().startswith(f"GetThread: GET /1.0/content_threads/t-1: Dimelo answered {status} ")
    assert "(some_error: Dimelo's own words)" in error.details()


async def test_403_on_status_names_the_missing_permission(adapter, dimelo: FakeDimelo):
    """In: 403 on GET /1.0/status. Out: PERMISSION_DENIED telling which right to ask for, and from whom."""
    dimelo.answer("GET", "/1.0/status", dimelo_error(403, "forbidden", "You are not allowed to do this"))

    error = await rpc_error(adapter.GetAgentAvailability(dimelo_pb2.GetAgentAvailabilityRequest(channel_id="ch")))

    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "/1.0/status needs the 'monitor task view' permission" in error.details()
    assert "project manager" in error.details()
    assert "retrying will not help" in error.details()
    assert len(dimelo.requests) == 1


async def test_403_on_reply_names_the_right_to_reply(adapter, dimelo: FakeDimelo):
    """In: 403 on POST /1.0/contents. Out: PERMISSION_DENIED saying replying needs the right to reply on the source."""
    dimelo.answer("POST", "/1.0/contents", dimelo_error(403, "forbidden", "Forbidden"))

    error = await rpc_error(adapter.CreateReply(dimelo_pb2.CreateReplyRequest(in_reply_to_id="c-1", body="Hi")))

    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "right to reply on the content's source" in error.details()


@pytest.mark.parametrize(
    "refusal",
    [
        dimelo_error(401, "unauthorized", "Bad credentials"),
        dimelo_error(403, "invalid_access_token", "the access token is invalid or has been revoked"),
    ],
)
async def test_a_refused_token_points_to_the_token_not_to_rights(adapter, dimelo: FakeDimelo, refusal):
    """In: 401, or 403 about the token itself. Out: PERMISSION_DENIED telling to check DIMELO_ACCESS_TOKEN."""
    dimelo.answer("GET", "/1.0/content_threads/t-1", refusal)

    error = await rpc_error(adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="t-1")))

    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "check DIMELO_ACCESS_TOKEN" in error.details()
    assert "project manager" not in error.details()


async def test_an_html_error_page_is_reported_not_crashed_on(adapter, dimelo: FakeDimelo):
    """In: a proxy's HTML 502 page. Out: UNAVAILABLE quoting the start of the page."""
    html = "<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>"
    dimelo.answer("GET", "/1.0/contents/c-1", httpx.Response(502, text=html, headers={"Content-Type": "text/html"}))

    error = await rpc_error(adapter.GetContent(dimelo_pb2.GetContentRequest(content_id="c-1")))

    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert "Dimelo answered 502 (<html><body><h1>502 Bad Gateway</h1> <p>nginx</p></body></html>)" in error.details()
    assert f"after {MAX_RETRIES + 1} attempts" in error.details()


async def test_a_success_that_is_not_json_is_unavailable(adapter, dimelo: FakeDimelo):
    """In: 200 with a body that is not JSON. Out: UNAVAILABLE saying so."""
    dimelo.answer("GET", "/1.0/contents/c-1", httpx.Response(200, text="OK"))

    error = await rpc_error(adapter.GetContent(dimelo_pb2.GetContentRequest(content_id="c-1")))

    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert "GET /1.0/contents/c-1: Dimelo answered 200 with a body that is not JSON" in error.details()


async def test_a_reply_answered_with_no_json_may_exist(adapter, dimelo: FakeDimelo):
    """In: POST /1.0/contents answered 200 with no JSON. Out: UNAVAILABLE warning the reply may exist."""
    dimelo.answer("POST", "/1.0/contents", httpx.Response(200, text=""))

    error = await rpc_error(adapter.CreateReply(dimelo_pb2.CreateReplyRequest(in_reply_to_id="c-1", body="Hi")))

    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert "FindReply" in error.details()


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (httpx.Response(200, json=["not", "an", "object"]), "Dimelo answered list, not an object"),
        (httpx.Response(200, json=content_json(created_at="yesterday")), "content 'c-reply' that cannot be read"),
    ],
)
async def test_a_json_answer_of_the_wrong_shape_is_unavailable(adapter, dimelo: FakeDimelo, answer, problem):
    """In: valid JSON that is not the object expected. Out: UNAVAILABLE naming the problem."""
    dimelo.answer("GET", "/1.0/contents/c-1", answer)

    error = await rpc_error(adapter.GetContent(dimelo_pb2.GetContentRequest(content_id="c-1")))

    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert problem in error.details()


@pytest.mark.parametrize(
    ("rpc", "request_", "missing"),
    [
        ("CreateReply", dimelo_pb2.CreateReplyRequest(body="Hi"), "in_reply_to_id"),
        ("CreateReply", dimelo_pb2.CreateReplyRequest(in_reply_to_id="c-1", body="  "), "body"),
        ("FindReply", dimelo_pb2.FindReplyRequest(in_reply_to_id="c-1"), "thread_id"),
        ("OpenIntervention", dimelo_pb2.OpenInterventionRequest(), "content_id"),
        ("CloseIntervention", dimelo_pb2.CloseInterventionRequest(), "intervention_id"),
        ("CloseThread", dimelo_pb2.CloseThreadRequest(), "thread_id"),
        ("UpdateThreadCategories", dimelo_pb2.UpdateThreadCategoriesRequest(category_ids=["a"]), "thread_id"),
        ("GetAgentAvailability", dimelo_pb2.GetAgentAvailabilityRequest(), "channel_id"),
        ("GetContent", dimelo_pb2.GetContentRequest(), "content_id"),
        ("GetThread", dimelo_pb2.GetThreadRequest(), "thread_id"),
        ("GetSource", dimelo_pb2.GetSourceRequest(), "source_id"),
    ],
)
async def test_a_missing_field_is_invalid_without_calling_dimelo(adapter, dimelo: FakeDimelo, rpc, request_, missing):
    """In: a request without a field the operation needs. Out: INVALID_ARGUMENT naming it; no request to Dimelo."""
    error = await rpc_error(getattr(adapter, rpc)(request_))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert f"needs {missing}" in error.details()
    assert dimelo.requests == []


async def test_each_refusal_is_logged_once_with_what_an_operator_needs(adapter, dimelo: FakeDimelo, caplog):
    """In: a 404 on CloseThread. Out: one WARNING with the operation, path, status and Dimelo's error identifier."""
    dimelo.answer("PUT", "/1.0/content_threads/t-9/close", dimelo_error(404, "not_found", "Thread not found"))

    with caplog.at_level(logging.DEBUG):
        await rpc_error(adapter.CloseThread(dimelo_pb2.CloseThreadRequest(thread_id="t-9")))

    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.levelno == logging.WARNING
    assert (record.operation, record.path, record.http_status, record.dimelo_error, record.grpc_code) == (
        "CloseThread",
        "/1.0/content_threads/t-9/close",
        404,
        "not_found",
        "NOT_FOUND",
    )


async def test_the_token_shows_nowhere_even_when_dimelo_echoes_it(adapter, dimelo: FakeDimelo, caplog):
    """In: calls that succeed, are retried and fail, one with Dimelo quoting the token. Out: no log line (with all
    its fields) and no status message holds the token."""
    dimelo.answer("GET", "/1.0/content_threads/t-1", httpx.Response(503, text="busy"), httpx.Response(200, json={}))
    dimelo.answer("GET", "/1.0/status", dimelo_error(401, "invalid_token", f"Invalid access token {TOKEN}"))
    dimelo.answer("POST", "/1.0/contents", httpx.ConnectError(f"cannot connect (token {TOKEN})"))

    with caplog.at_level(logging.DEBUG):
        await adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="t-1"))
        denied = await rpc_error(adapter.GetAgentAvailability(dimelo_pb2.GetAgentAvailabilityRequest(channel_id="c")))
        unreachable = await rpc_error(adapter.CreateReply(dimelo_pb2.CreateReplyRequest(in_reply_to_id="c", body="x")))

    assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "check DIMELO_ACCESS_TOKEN" in denied.details()
    assert "Invalid access token [redacted]" in denied.details()
    assert unreachable.code() == grpc.StatusCode.UNAVAILABLE
    for message in (denied.details(), unreachable.details()):
        assert TOKEN not in message
    formatter = JsonFormatter("test")
    lines = [formatter.format(record) for record in caplog.records]
    assert any("trying again" in line for line in lines)
    assert all(TOKEN not in line for line in lines)
