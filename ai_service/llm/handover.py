"""How the model asks for a handover: the `handover_to_agent` tool, or the [HANDOVER] sentinel in its text."""

import json
import re
from dataclasses import dataclass
from typing import Any

from botbridge.ai.v1 import ai_pb2

TOOL_NAME = "handover_to_agent"
SENTINEL = "[HANDOVER]"
# The reasons the model may give, as the contract's HandoverReason; any other word counts as OTHER.
REASONS = {
    "customer_request": ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST,
    "low_confidence": ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE,
    "unsupported_language": ai_pb2.HANDOVER_REASON_UNSUPPORTED_LANGUAGE,
    "unusable_message": ai_pb2.HANDOVER_REASON_UNUSABLE_MESSAGE,
    "other": ai_pb2.HANDOVER_REASON_OTHER,
}
TOOL = {
    "type": "function",
    "function": {
        "name": TOOL_NAME,
        "description": "Hand the conversation over to a human agent instead of answering the customer.",
        "parameters": {
            "type": "object",
            "properties": {
                "reason": {
                    "type": "string",
                    "enum": list(REASONS),
                    "description": "customer_request: the customer asked for a person; low_confidence: you are "
                    "not sure of the answer; unsupported_language: you cannot answer in the customer's language; "
                    "unusable_message: the message cannot be understood; other: anything else.",
                },
                "explanation": {"type": "string", "description": "One sentence for the agent who takes over."},
            },
            "required": ["reason", "explanation"],
        },
    },
}
_SENTINEL = re.compile(re.escape(SENTINEL), re.IGNORECASE)


@dataclass(frozen=True)
class HandoverRequest:
    """The model's request for a human, as the contract's reason and the model's explanation."""

    reason: ai_pb2.HandoverReason
    explanation: str


def from_tool_arguments(arguments: str | dict[str, Any]) -> HandoverRequest:
    """The tool call's JSON arguments; unreadable ones still hand over (the model asked for a human)."""
    parsed: object = arguments
    if isinstance(arguments, str):
        try:
            parsed = json.loads(arguments)
        except ValueError:
            parsed = None
    if not isinstance(parsed, dict):
        return HandoverRequest(ai_pb2.HANDOVER_REASON_OTHER, "(the tool call's arguments are not a JSON object)")
    return _request(str(parsed.get("reason") or ""), str(parsed.get("explanation") or ""))


def from_text(text: str) -> HandoverRequest | None:
    """The request in "[HANDOVER] <reason>: <explanation>", found anywhere in the text; None without the sentinel."""
    found = _SENTINEL.search(text)
    if found is None:
        return None
    rest = text[found.end() :].strip()
    word, colon, after = rest.partition(":")
    if colon and word.strip().lower() in REASONS:
        return _request(word, after)
    return _request("", rest or text[: found.start()])


def _request(reason: str, explanation: str) -> HandoverRequest:
    word = reason.strip().lower()
    explanation = explanation.strip() or "(no explanation given)"
    if word and word not in REASONS:
        explanation = f"{explanation} (reason given: {word!r})"
    return HandoverRequest(REASONS.get(word, ai_pb2.HANDOVER_REASON_OTHER), explanation)
