"""The Backend protocol every AI backend follows, and the one AI_BACKEND selects."""

from contextlib import AsyncExitStack
from typing import Protocol

import httpx

from ai_service.faq import load_faq
from ai_service.faq_responder import FaqResponder
from ai_service.llm.client import ChatCompletionsClient
from ai_service.llm.responder import LlmResponder
from ai_service.settings import AiSettings
from botbridge.ai.v1 import ai_pb2


class Backend(Protocol):
    async def respond(self, conversation: ai_pb2.Conversation, time_remaining: float | None) -> ai_pb2.RespondResponse:
        """Answers the conversation's message or hands over; `time_remaining` is the caller's deadline in seconds
        (None without one), and the decision must come back within it."""
        ...


async def open_backend(settings: AiSettings, resources: AsyncExitStack) -> Backend:
    """The backend AI_BACKEND names; what it opens (the LLM's HTTP client) closes with `resources`."""
    if settings.backend == "llm":
        # No httpx timeout: the client bounds each request as a whole, from the caller's deadline.
        http = await resources.enter_async_context(httpx.AsyncClient(timeout=None))
        assert settings.llm_base_url, "AiSettings refuses AI_BACKEND=llm without AI_LLM_BASE_URL"
        return LlmResponder(ChatCompletionsClient(http, settings.llm_base_url, settings.llm_api_key), settings)
    return FaqResponder(load_faq(settings.faq_path), settings.confidence_threshold)
