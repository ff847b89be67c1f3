"""AI_BACKEND=llm end to end on loopback: the AI service over gRPC, a fake OpenAI-compatible model over HTTP
(Starlette and uvicorn); the conformance kit passes, and failures and deadlines come back as handovers."""

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import grpc
import httpx
import pytest
from fake_chat_server import FAKE_ANSWER, FakeModel, llm_settings

from ai_conformance.rules import RULES
from ai_conformance.runner import run_kit
from ai_conformance.verdict import Status
from ai_service.server import create_server
from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc
from dimelo_sandbox.serve import start_server

API_KEY = "sk-llm-e2e-7"

ServeLlmAi = Callable[..., AsyncIterator[str]]


@pytest.fixture
async def serve_llm_ai() -> AsyncIterator[ServeLlmAi]:
    """`async with serve_llm_ai(model, **settings) as address`: the model on HTTP, the AI service on gRPC."""
    async with AsyncExitStack() as running:

        @asynccontextmanager
        async def serve(model: FakeModel, **settings: object) -> AsyncIterator[str]:
            http = await start_server(model.app(), "127.0.0.1", 0)
            running.push_async_callback(http.stop)
            configured = llm_settings(listen_addr="127.0.0.1:0", llm_base_url=f"{http.url}/v1", **settings)
            server = await create_server(configured)
            await server.start()
            running.push_async_callback(server.stop, 0)
            yield f"127.0.0.1:{server.port}"

        yield serve


async def respond(address: str, body: str, timeout: float = 5) -> ai_pb2.RespondResponse:
    conversation = ai_pb2.Conversation(thread_id="t-e2e", message=ai_pb2.Message(body=body))
    async with grpc.aio.insecure_channel(address) as channel:
        stub = ai_pb2_grpc.AiServiceStub(channel)
        return await stub.Respond(ai_pb2.RespondRequest(conversation=conversation), timeout=timeout)


@pytest.mark.parametrize("use_tools", [True, False])
async def test_every_conformance_rule_passes_on_the_llm_backend(serve_llm_ai, use_tools: bool) -> None:
    # In: the kit with its defaults (2 s deadline, 16 simultaneous calls) against AI_BACKEND=llm, with and without
    # the handover tool. Out: every rule, in order, PASS (with the tool the fake model hands a Japanese message
    # over as unsupported_language; without it, it answers, which the kit only warns about).
    async with serve_llm_ai(FakeModel(), llm_use_tools=use_tools) as address:
        verdicts = await run_kit(address)

    expected = [(rule.__name__, Status.PASS) for rule in RULES]
    if not use_tools:
        expected = [(name, Status.WARN if name == "unsupported_language" else status) for name, status in expected]
    assert [(v.rule, v.status) for v in verdicts] == expected, verdicts


async def test_an_answer_goes_through_with_the_key_sent_and_never_logged(serve_llm_ai, caplog) -> None:
    # In: a question over gRPC, with AI_LLM_API_KEY, every logger at DEBUG. Out: the model's answer; the model
    # server got "Authorization: Bearer <key>"; no log record holds the key.
    caplog.set_level(logging.DEBUG)
    model = FakeModel()
    async with serve_llm_ai(model, llm_api_key=API_KEY) as address:
        response = await respond(address, "Do you ship to Belgium?")

    assert response.answer.text == FAKE_ANSWER
    assert response.answer.explanation == "answered by fake-model"
    assert [request.headers["authorization"] for request in model.received] == [f"Bearer {API_KEY}"]
    assert API_KEY not in caplog.text
    assert all(API_KEY not in str(vars(record)) for record in caplog.records)


async def test_a_model_slower_than_the_grpc_deadline_is_handed_over_before_it(serve_llm_ai) -> None:
    # In: a model that answers only when released, a gRPC deadline of 0.5 s. Out: a handover OTHER within the
    # deadline (not DEADLINE_EXCEEDED), explaining the model took longer than the time left (at most 0.4 s).
    released = asyncio.Event()

    async def slow(request: dict) -> httpx.Response:
        await released.wait()
        return httpx.Response(200, json={})

    try:
        async with serve_llm_ai(FakeModel(slow)) as address:
            response = await respond(address, "Do you ship to Belgium?", timeout=0.5)
    finally:
        released.set()  # lets the fake server finish its request and stop

    assert response.handover.reason == ai_pb2.HANDOVER_REASON_OTHER
    assert re.fullmatch(r"the model server did not answer within 0\.[0-4]\d s", response.handover.explanation)


async def test_a_failing_model_server_is_a_handover_not_an_error(serve_llm_ai) -> None:
    # In: a model server answering 503 to everything. Out: over gRPC, a handover OTHER naming HTTP 503.
    async with serve_llm_ai(FakeModel(lambda request: httpx.Response(503, json={"error": "loading model"}))) as address:
        response = await respond(address, "Do you ship to Belgium?")

    assert response.handover.reason == ai_pb2.HANDOVER_REASON_OTHER
    assert response.handover.explanation == "the model server answered HTTP 503: loading model"
