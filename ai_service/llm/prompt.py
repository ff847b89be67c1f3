"""The system message: the configurable assistant's brief, then the fixed rules of the handover protocol."""

from ai_service.llm.handover import REASONS, SENTINEL, TOOL_NAME

# Written by a human agent, not by the bot: how such a message of the history reaches the model.
AGENT_PREFIX = "[Human agent] "

DEFAULT_SYSTEM_PROMPT = (
    "You are the customer-care assistant of an online shop, answering customers in a chat or messaging channel. "
    "Answer in the customer's language, in plain text without Markdown or HTML, in a few short sentences. "
    "Say only what you know from this conversation or what every shop's customer service would say; never invent "
    "order numbers, tracking details, delivery dates, prices, refunds or anything about the customer's order or "
    "account. Hand the conversation over to a human agent when you are not sure of the answer, when the request "
    "needs the customer's order or account, when the customer is upset, or when they ask for a person."
)

_REASON_LIST = ", ".join(REASONS)
_WITH_TOOL = (
    f"To hand the conversation over, call the function {TOOL_NAME} with a reason ({_REASON_LIST}) and one "
    "sentence for the agent who takes over; write no answer to the customer then."
)
_WITH_SENTINEL = (
    f"To hand the conversation over, reply with one line only: {SENTINEL} <reason>: <one sentence for the agent "
    f"who takes over>, where <reason> is one of {_REASON_LIST}."
)
_HISTORY_NOTE = f"Assistant messages that start with {AGENT_PREFIX.strip()} were written by a human colleague."


def system_message(brief: str, use_tools: bool) -> str:
    """`brief` (AI_LLM_SYSTEM_PROMPT), then how to hand over (the tool, or the sentinel without tools)."""
    protocol = _WITH_TOOL if use_tools else _WITH_SENTINEL
    return f"{brief.strip()}\n\n{protocol}\n{_HISTORY_NOTE}"
