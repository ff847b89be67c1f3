"""The LLM backend's decision for one conversation: the model's answer, or a handover with its reason."""

import logging

from ai_service.decisions import answer, handover, out_of_time
from ai_service.intents import asks_for_human, is_goodbye
from ai_service.llm.client import ChatCompletionsClient, LlmFailure
from ai_service.llm.completion import AssistantMessage
from ai_service.llm.handover import TOOL_NAME, HandoverRequest, from_text, from_tool_arguments
from ai_service.llm.request import MAX_MESSAGE_CHARS, chat_request
from ai_service.settings import AiSettings
from botbridge.ai.v1 import ai_pb2

log = logging.getLogger(__name__)

# Kept from the caller's deadline for sending the decision back.
DEADLINE_MARGIN_SECONDS = 0.1


class LlmResponder:
    """Asks the model, after the checks that need no model: an empty message, an explicit request for a human."""

    def __init__(self, client: ChatCompletionsClient, settings: AiSettings) -> None:
        assert settings.llm_model, "AiSettings refuses AI_BACKEND=llm without AI_LLM_MODEL"
        self._client = client
        self._settings = settings
        self._model = settings.llm_model

    async def respond(self, conversation: ai_pb2.Conversation, time_remaining: float | None) -> ai_pb2.RespondResponse:
        text = conversation.message.body[:MAX_MESSAGE_CHARS]
        if not text.strip():
            return handover(ai_pb2.HANDOVER_REASON_UNUSABLE_MESSAGE, "the message is empty")
        # Deterministic and free: a customer who asks for a person gets one even when the model would argue.
        if asks_for_human(text):
            return handover(ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST, "the customer asked for a human agent")
        timeout = self._settings.llm_timeout_seconds
        if time_remaining is not None:
            timeout = min(timeout, time_remaining - DEADLINE_MARGIN_SECONDS)
            if timeout <= 0:
                return out_of_time(time_remaining)
        try:
            reply = await self._client.complete(chat_request(conversation, self._settings), timeout)
        except LlmFailure as failure:
            log.warning("no decision from the model: %s", failure, extra={"thread_id": conversation.thread_id})
            return handover(ai_pb2.HANDOVER_REASON_OTHER, str(failure))
        return decide(reply, self._model, finished=is_goodbye(text))


def decide(reply: AssistantMessage, model: str, finished: bool) -> ai_pb2.RespondResponse:
    """A handover when the model asked for one (tool call or sentinel), else its text as the answer."""
    requested = _requested_handover(reply)
    if requested is not None:
        return handover(requested.reason, f"{model} handed over: {requested.explanation}")
    text = (reply.content or "").strip()
    if not text:
        return handover(ai_pb2.HANDOVER_REASON_OTHER, f"{model} gave neither an answer nor a handover")
    # A model gives no calibrated confidence: 0, and the explanation says who answered.
    return answer(text, 0.0, f"answered by {model}", finished)


def _requested_handover(reply: AssistantMessage) -> HandoverRequest | None:
    for call in reply.tool_calls or ():
        if call.function.name == TOOL_NAME:
            return from_tool_arguments(call.function.arguments)
    return from_text(reply.content or "")
