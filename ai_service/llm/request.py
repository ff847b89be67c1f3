"""The chat-completions request for a conversation: system message, the latest history, the customer's message."""

from collections.abc import Iterable
from typing import Any

from ai_service.llm.handover import TOOL
from ai_service.llm.prompt import AGENT_PREFIX, system_message
from ai_service.settings import AiSettings
from botbridge.ai.v1 import ai_pb2

# Each message is cut to this many characters: a pasted 100 kB text must not overflow the model's context.
MAX_MESSAGE_CHARS = 4000
# Our side of the conversation; the customer, and any author this version does not know, are the "user".
_ASSISTANT_AUTHORS = frozenset({ai_pb2.AUTHOR_BOT, ai_pb2.AUTHOR_AGENT})


def chat_request(conversation: ai_pb2.Conversation, settings: AiSettings) -> dict[str, Any]:
    """The JSON body of POST /chat/completions; the handover tool only with AI_LLM_USE_TOOLS."""
    system = system_message(settings.llm_system_prompt, settings.llm_use_tools)
    history = list(conversation.history)[-settings.llm_max_history :] if settings.llm_max_history else []
    request: dict[str, Any] = {
        "model": settings.llm_model,
        "messages": chat_messages(system, [*history, conversation.message]),
        "temperature": settings.llm_temperature,
    }
    if settings.llm_use_tools:
        request["tools"] = [TOOL]
    return request


def chat_messages(system: str, messages: Iterable[ai_pb2.Message]) -> list[dict[str, str]]:
    """The system message, then each non-empty message as "user" or "assistant".

    Consecutive messages of one role are joined into one: many chat templates (Llama 2, Mistral) refuse two user
    or two assistant turns in a row.
    """
    chat = [{"role": "system", "content": system}]
    for message in messages:
        text = message.body.strip()[:MAX_MESSAGE_CHARS]
        if not text:
            continue
        role = "assistant" if message.author in _ASSISTANT_AUTHORS else "user"
        if message.author == ai_pb2.AUTHOR_AGENT:
            text = AGENT_PREFIX + text
        if chat[-1]["role"] == role:
            chat[-1]["content"] += "\n\n" + text
        else:
            chat.append({"role": role, "content": text})
    return chat
