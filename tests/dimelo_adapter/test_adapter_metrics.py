"""The adapter counts every HTTP request to Dimelo by operation and status, and every retry with its cause."""

import grpc
import httpx
import pytest
from adapter_testkit import FakeDimelo, dimelo_error, thread_json
from prometheus_client import REGISTRY

from botbridge.dimelo.v1 import dimelo_pb2
from tests.support.eventually import eventually

GET_THREAD = "GET /1.0/content_threads/:id"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_429_then_a_success_count_two_requests_and_one_retry(adapter, dimelo: FakeDimelo):
    """In: GetThread answered 429, then 200. Out: one request counted per status under the route (no id in the
    label), one retry caused by 429, two latencies observed, and the RPC counted OK."""
    before = {
        "429": sample("botbridge_dimelo_requests_total", operation=GET_THREAD, status="429"),
        "200": sample("botbridge_dimelo_requests_total", operation=GET_THREAD, status="200"),
        "retry": sample("botbridge_dimelo_retries_total", operation=GET_THREAD, status="429"),
        "timed": sample("botbridge_dimelo_request_seconds_count", operation=GET_THREAD),
        "rpc": sample(
            "grpc_server_handled_total",
            grpc_service="botbridge.dimelo.v1.DimeloService",
            grpc_method="GetThread",
            grpc_code="OK",
        ),
    }
    dimelo.answer(
        "GET",
        "/1.0/content_threads/t-42",
        dimelo_error(429, "rate_limit_exceeded", "Rate limit exceeded", headers={"Retry-After": "0"}),
        httpx.Response(200, json=thread_json(id="t-42")),
    )

    await adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="t-42"))

    assert sample("botbridge_dimelo_requests_total", operation=GET_THREAD, status="429") == before["429"] + 1
    assert sample("botbridge_dimelo_requests_total", operation=GET_THREAD, status="200") == before["200"] + 1
    assert sample("botbridge_dimelo_retries_total", operation=GET_THREAD, status="429") == before["retry"] + 1
    assert sample("botbridge_dimelo_request_seconds_count", operation=GET_THREAD) == before["timed"] + 2
    # The server counts a call once its handler has returned, which may be just after the client has the answer.
    await eventually(
        lambda: sample(
            "grpc_server_handled_total",
            grpc_service="botbridge.dimelo.v1.DimeloService",
            grpc_method="GetThread",
            grpc_code="OK",
        ),
        lambda handled: handled == before["rpc"] + 1,
        what="GetThread counted OK",
    )
    assert sample("botbridge_dimelo_last_answer_timestamp_seconds") > 0


async def test_a_refusal_is_counted_with_its_status_and_the_rpc_with_its_code(adapter, dimelo: FakeDimelo):
    """In: UpdateThreadCategories refused with 403. Out: the request counted under status 403, no retry, and the
    RPC counted PERMISSION_DENIED."""
    operation = "PUT /1.0/content_threads/:id/update_categories"
    rpc = {"grpc_service": "botbridge.dimelo.v1.DimeloService", "grpc_method": "UpdateThreadCategories"}
    before = (
        sample("botbridge_dimelo_requests_total", operation=operation, status="403"),
        sample("grpc_server_handled_total", **rpc, grpc_code="PERMISSION_DENIED"),
        sample("botbridge_dimelo_retries_total", operation=operation, status="403"),
    )
    dimelo.answer("PUT", "/1.0/content_threads/t-7/update_categories", dimelo_error(403, "forbidden", "no right"))

    with pytest.raises(grpc.aio.AioRpcError):
        await adapter.UpdateThreadCategories(
            dimelo_pb2.UpdateThreadCategoriesRequest(thread_id="t-7", category_ids=["agents"])
        )

    assert sample("botbridge_dimelo_requests_total", operation=operation, status="403") == before[0] + 1
    await eventually(
        lambda: sample("grpc_server_handled_total", **rpc, grpc_code="PERMISSION_DENIED"),
        lambda handled: handled == before[1] + 1,
        what="the refused RPC counted PERMISSION_DENIED",
    )
    assert sample("botbridge_dimelo_retries_total", operation=operation, status="403") == before[2]


async def test_no_answer_is_counted_as_a_timeout(adapter, dimelo: FakeDimelo):
    """In: GET /1.0/contents/:id timing out on every attempt. Out: each attempt counted with status "timeout"."""
    operation = "GET /1.0/contents/:id"
    before = sample("botbridge_dimelo_requests_total", operation=operation, status="timeout")
    dimelo.answer("GET", "/1.0/contents/c-9", httpx.ReadTimeout("no answer"))

    with pytest.raises(grpc.aio.AioRpcError):
        await adapter.GetContent(dimelo_pb2.GetContentRequest(content_id="c-9"))

    attempts = len(dimelo.requests)
    assert attempts > 1
    assert sample("botbridge_dimelo_requests_total", operation=operation, status="timeout") == before + attempts
