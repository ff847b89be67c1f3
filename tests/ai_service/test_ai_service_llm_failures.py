"""The LLM backend when the model server fails: every failure is a handover OTHER naming it, never an error; the API
key stays out of explanations and logs."""

import asyncio
import logging
import socket

import httpx
import pytest
from fake_chat_server import FakeModel, llm_settings

from ai_service.llm.client import ChatCompletionsClient
from ai_service.llm.responder import LlmResponder
from botbridge.ai.v1 import ai_pb2

API_KEY = "sk-secret-4242"


def conversation() -> ai_pb2.Conversation:
    return ai_pb2.Conversation(thread_id="t-1", message=ai_pb2.Message(body="Do you sell gift cards?"))


def replying(status: int, content: bytes | None = None, json: object = None) -> FakeModel:
    return FakeModel(lambda request: httpx.Response(status, content=content, json=json))


async def never_replying(request: dict) -> httpx.Response:
    await asyncio.Event().wait()  # until the client gives up
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("model", "explanation"),
    [
        (replying(500, b"Internal Server Error"), "the model server answered HTTP 500"),
        (
            replying(400, json={"error": {"message": "llama3 does not support tools", "type": "api_error"}}),
            "the model server answered HTTP 400: llama3 does not support tools",
        ),
        (
            replying(404, json={"object": "error", "message": "The model `x` does not exist."}),
            "the model server answered HTTP 404: The model `x` does not exist.",
        ),
        (
            replying(200, b"<html>a proxy page</html>"),
            "the model server's reply is not a chat completion (Invalid JSON: expected value at line 1 column 1)",
        ),
        (
            replying(200, json={"object": "chat.completion"}),
            "the model server's reply is not a chat completion (choices: Field required)",
        ),
        (
            replying(200, json={"choices": []}),
            "the model server's reply is not a chat completion (choices: List should have at least 1 item after "
            "validation, not 0)",
        ),
        (
            replying(200, json={"choices": [{"message": {"content": 42}}]}),
            "the model server's reply is not a chat completion (choices.0.message.content: Input should be a valid "
            "string)",
        ),
    ],
)
async def test_error_statuses_and_malformed_replies_are_handed_over(llm_responder, model, explanation) -> None:
    # In: a 500 with a text body; a 400 and a 404 with OpenAI's and vLLM's error bodies; HTML with status 200;
    # JSON that is not a chat completion. Out: a handover OTHER whose explanation says what went wrong.
    response = await llm_responder(model).respond(conversation(), None)
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_OTHER
    assert response.handover.explanation == explanation


async def test_a_refused_connection_is_handed_over() -> None:
    # In: a base URL whose port is bound but where nothing listens. Out: a handover OTHER naming the URL and
    # ConnectError.
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        settings = llm_settings(llm_base_url=f"http://127.0.0.1:{bound.getsockname()[1]}/v1")
        async with httpx.AsyncClient() as http:
            responder = LlmResponder(ChatCompletionsClient(http, settings.llm_base_url, None), settings)
            response = await responder.respond(conversation(), None)

    assert response.handover.reason == ai_pb2.HANDOVER_REASON_OTHER
    assert response.handover.explanation.startswith(
        f"could not reach the model server at {settings.llm_base_url}/chat/completions: ConnectError"
    )


async def test_a_model_slower_than_the_timeout_is_handed_over(llm_responder) -> None:
    # In: a model that never answers, AI_LLM_TIMEOUT_SECONDS=0.05, no gRPC deadline. Out: a handover OTHER after
    # 0.05 s, saying so.
    responder = llm_responder(FakeModel(never_replying), llm_timeout_seconds=0.05)
    response = await responder.respond(conversation(), None)
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_OTHER
    assert response.handover.explanation == "the model server did not answer within 0.05 s"


async def test_the_callers_deadline_shortens_the_timeout(llm_responder) -> None:
    # In: a model that never answers, a 10 s timeout, 0.17 s left before the caller's deadline. Out: a handover
    # after 0.07 s (0.1 s is kept to send it back).
    response = await llm_responder(FakeModel(never_replying)).respond(conversation(), 0.17)
    assert response.handover.explanation == "the model server did not answer within 0.07 s"


async def test_too_little_time_left_skips_the_model(llm_responder) -> None:
    # In: 50 ms left before the caller's deadline. Out: a handover OTHER at once, without asking the model.
    model = FakeModel()
    response = await llm_responder(model).respond(conversation(), 0.05)
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_OTHER
    assert response.handover.explanation == "only 50.0 ms were left before the deadline"
    assert model.received == []


async def test_the_api_key_is_never_logged_nor_explained(llm_responder, caplog) -> None:
    # In: every logger at DEBUG; an answered request with the key, then a 401 whose body quotes the key.
    # Out: the key is in no log record nor explanation; the 401 is explained without the server's message, and
    # logged as a warning.
    caplog.set_level(logging.DEBUG)
    answered = await llm_responder(FakeModel(), llm_api_key=API_KEY).respond(conversation(), None)
    refusal = {"error": {"message": f"Incorrect API key provided: {API_KEY}.", "code": "invalid_api_key"}}
    refused = await llm_responder(replying(401, json=refusal), llm_api_key=API_KEY).respond(conversation(), None)

    assert answered.WhichOneof("outcome") == "answer"
    assert refused.handover.explanation == "the model server answered HTTP 401 (check AI_LLM_API_KEY)"
    assert "HTTP 401" in caplog.text
    assert [record.levelname for record in caplog.records if record.name == "ai_service.llm.responder"] == ["WARNING"]
    assert API_KEY not in caplog.text
    assert all(API_KEY not in str(vars(record)) for record in caplog.records)
