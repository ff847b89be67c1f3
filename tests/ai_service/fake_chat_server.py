"""A fake OpenAI-compatible model server: answers POST /v1/chat/completions with a scripted reply and keeps every
request, in-process (httpx.MockTransport) or over HTTP (a Starlette app, served on a loopback port by the tests)."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ai_service.settings import AiSettings

PATH = "/v1/chat/completions"
FAKE_ANSWER = "Thanks for your message! Our shop ships within 2 days."

Reply = Callable[[dict], Awaitable[httpx.Response] | httpx.Response]


def completion(content: str | None = None, tool_calls: list[dict] | None = None) -> dict:
    """A chat-completions reply body, as OpenAI sends it, with one choice."""
    message = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    finish = "tool_calls" if tool_calls else "stop"
    choice = {"index": 0, "message": message, "finish_reason": finish}
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": "fake", "choices": [choice]}


def tool_call(name: str, arguments: dict | str) -> dict:
    """A tool call as OpenAI sends it: the arguments as a JSON string."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}


def small_model(request: dict) -> httpx.Response:
    """Answers every message, except one in a script other than Latin, which it hands over through the tool."""
    latest = request["messages"][-1]["content"]
    if any(ord(char) > 0x24F for char in latest) and "tools" in request:
        call = tool_call("handover_to_agent", {"reason": "unsupported_language", "explanation": "not Latin script"})
        return httpx.Response(200, json=completion(None, [call]))
    return httpx.Response(200, json=completion(FAKE_ANSWER))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class FakeModel:
    """Answers each request with `reply(body)` (sync or async); `received` keeps the requests in order."""

    reply: Reply = small_model
    received: list[Received] = field(default_factory=list)

    async def _answer(self, path: str, headers: dict[str, str], content: bytes) -> httpx.Response:
        body = json.loads(content)
        self.received.append(Received(path, headers, body))
        response = self.reply(body)
        return await response if isinstance(response, Awaitable) else response

    def transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            return await self._answer(request.url.path, dict(request.headers), await request.aread())

        return httpx.MockTransport(handle)

    def app(self) -> Starlette:
        async def chat_completions(request: Request) -> Response:
            answered = await self._answer(request.url.path, dict(request.headers), await request.body())
            return Response(answered.content, answered.status_code, media_type=answered.headers.get("content-type"))

        return Starlette(routes=[Route(PATH, chat_completions, methods=["POST"])])


def llm_settings(**settings: object) -> AiSettings:
    """AI_BACKEND=llm settings for a fake model at http://model.test/v1 (in-process), with `settings` on top."""
    defaults = {"backend": "llm", "llm_base_url": "http://model.test/v1", "llm_model": "fake-model"}
    return AiSettings(**{**defaults, **settings})
