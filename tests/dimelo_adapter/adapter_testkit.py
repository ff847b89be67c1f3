"""What the adapter's tests share: a scripted Dimelo for httpx.MockTransport, Dimelo JSON samples, settings."""

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

import grpc
import httpx
import pytest

from dimelo_adapter.settings import AdapterSettings

TOKEN = "tok-3f9a7c1e5b2d4a6f8e0c"
API_URL = "https://acme.api.engagement.dimelo.com"
MAX_RETRIES = 3
RETRY_BASE_SECONDS = 0.01
RETRY_MAX_WAIT_SECONDS = 5.0
# Scripted answers: the budget never binds here (tests/dimelo_adapter/test_adapter_budget.py checks it against the
# sandbox).
CALL_BUDGET = 1_000_000

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def dimelo_error(status: int, identifier: str, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """An error as Dimelo writes it: `{"error", "message", "status"}`."""
    return httpx.Response(status, json={"error": identifier, "message": message, "status": status}, headers=headers)


def form(request: httpx.Request) -> list[tuple[str, str]]:
    """A form-encoded request body as (name, value) pairs, in order, empty values kept."""
    return parse_qsl(request.content.decode(), keep_blank_values=True)


class FakeDimelo:
    """Scripted answers per (method, path), given in order, the last one repeated; every request recorded.

    An answer is a response, an exception to raise (e.g. httpx.ReadTimeout) or a function of the request.
    A route without answers gets a Dimelo-style 404.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._answers: dict[tuple[str, str], list[Answer]] = {}

    def answer(self, method: str, path: str, *answers: Answer) -> None:
        self._answers[(method, path)] = list(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answers = self._answers.get((request.method, request.url.path))
        if not answers:
            return dimelo_error(404, "not_found", f"the fake has no answer for {request.method} {request.url.path}")
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer


def as_exchange(request: httpx.Request) -> dict[str, str]:
    """A request the adapter sent, as the spec check reads it (the path still escaped, as it went on the wire)."""
    return {
        "method": request.method,
        "path": request.url.raw_path.decode().split("?", 1)[0],
        "query": request.url.query.decode(),
        "content_type": request.headers.get("content-type", ""),
        "body": request.content.decode(),
    }


def adapter_settings(**overrides: object) -> AdapterSettings:
    values = {
        "dimelo_api_url": API_URL,
        "dimelo_access_token": TOKEN,
        "adapter_listen_addr": "127.0.0.1:0",
        "dimelo_max_retries": MAX_RETRIES,
        "dimelo_retry_base_seconds": RETRY_BASE_SECONDS,
        "dimelo_retry_max_wait_seconds": RETRY_MAX_WAIT_SECONDS,
        "dimelo_call_budget": CALL_BUDGET,
        **overrides,
    }
    return AdapterSettings(**values)


def content_json(**fields: object) -> dict[str, object]:
    """A content as `GET /1.0/contents/:id` answers it, with the given fields changed."""
    return {
        "id": "c-reply",
        "source_id": "s-chat",
        "thread_id": "t-1",
        "author_id": "id-bot",
        "creator_id": "u-bot",
        "in_reply_to_id": "c-customer",
        "created_from": "api",
        "private_message": False,
        "status": "replied",
        "body": "Hello, how can I help?",
        "body_input_format": "text",
        "category_ids": ["cat-bot"],
        "created_at": "2024-05-24T04:00:44Z",
        **fields,
    }


def thread_json(**fields: object) -> dict[str, object]:
    """A thread as `GET /1.0/content_threads/:id` answers it, with the given fields changed."""
    return {
        "id": "t-1",
        "source_id": "s-chat",
        "title": "Modem issue",
        "closed": False,
        "category_ids": ["cat-bot", "cat-other"],
        "thread_category_ids": ["cat-bot"],
        "extra_data": {"trigger_id": "foo"},
        **fields,
    }


def intervention_json(**fields: object) -> dict[str, object]:
    """An intervention as `POST /1.0/interventions` answers it, with the given fields changed."""
    return {
        "id": "i-1",
        "source_id": "s-chat",
        "thread_id": "t-1",
        "content_id": "c-customer",
        "user_id": "u-bot",
        "closed": False,
        "status": "Ouverte",
        **fields,
    }


def page(records: list[dict[str, object]], offset: int, count: int) -> httpx.Response:
    """One page of a Dimelo list."""
    return httpx.Response(200, json={"count": count, "offset": offset, "limit": 150, "records": records})


def by_offset(pages: dict[int, httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    """Answers a paginated list with the page its `offset` parameter asks for."""
    return lambda request: pages[int(request.url.params["offset"])]


async def rpc_error(call: Awaitable[object]) -> grpc.aio.AioRpcError:
    """The error status a gRPC call ends with; fails the test if it succeeds."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value
