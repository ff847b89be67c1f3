"""The AI's decision for one message, asked with a deadline; any AI failure becomes a handover."""

import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

import grpc

from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc
from orchestrator.choices import from_answer
from orchestrator.errors import describe
from orchestrator.metrics import AI_REQUEST_SECONDS, AI_REQUESTS
from service_kit.metrics import bounded

log = logging.getLogger(__name__)

_REASONS = {
    value.number: value.name.removeprefix("HANDOVER_REASON_").lower()
    for value in ai_pb2.HandoverReason.DESCRIPTOR.values
}
# Handovers the orchestrator decides itself, when the AI gives no usable decision or processing failed for good.
_OWN_REASONS = ("ai_timeout", "ai_error", "empty_answer", "processing_failed")
HANDOVER_REASONS = frozenset([*_REASONS.values(), *_OWN_REASONS])


def bounded_reason(reason: str) -> str:
    """A handover reason as a metric label: one of HANDOVER_REASONS, else "other"."""
    return bounded(reason, HANDOVER_REASONS)


@dataclass(frozen=True)
class Decision:
    """Answer with `text` (the conversation `finished` or not), or hand over for `reason`."""

    answer: bool
    text: str = ""
    finished: bool = False
    reason: str = ""
    explanation: str = ""
    # Choices offered with the answer (orchestrator/choices.py), as {"title", "payload", "url"}.
    choices: tuple[dict[str, str], ...] = ()

    def to_journal(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_journal(cls, detail: dict[str, Any] | None) -> "Decision | None":
        return cls(**{**detail, "choices": tuple(detail.get("choices") or ())}) if detail else None


async def ask_ai(
    ai: "ai_pb2_grpc.AiServiceAsyncStub", conversation: ai_pb2.Conversation, deadline: float, may_retry: bool
) -> Decision:
    """The AI's decision. An unreachable AI raises while `may_retry` (a restarting pod is back in seconds, and an
    answer beats a handover); after that, and on any other failure, the decision is a handover."""
    started = time.perf_counter()
    try:
        # No waiting for an AI that is down: UNAVAILABLE at once, retried as AI_UNAVAILABLE_RETRIES says.
        response = await ai.Respond(
            ai_pb2.RespondRequest(conversation=conversation), timeout=deadline, wait_for_ready=False
        )
    except grpc.aio.AioRpcError as error:
        timed_out = error.code() is grpc.StatusCode.DEADLINE_EXCEEDED
        unavailable = error.code() is grpc.StatusCode.UNAVAILABLE
        _count("timeout" if timed_out else "unavailable" if unavailable else "error", started)
        if may_retry and unavailable:
            raise
        log.warning("AI failed, handing over: %s", describe(error), extra={"thread_id": conversation.thread_id})
        return Decision(
            answer=False,
            reason="ai_timeout" if timed_out else "ai_error",
            explanation=f"no answer within {deadline:g} s" if timed_out else describe(error),
        )
    if response.HasField("answer") and response.answer.text.strip():
        _count("answer", started)
        answer = response.answer
        return Decision(
            True, answer.text, answer.conversation_finished, explanation=answer.explanation, choices=from_answer(answer)
        )
    if response.HasField("handover"):
        _count("handover", started)
        handover = response.handover
        reason = _REASONS.get(handover.reason, "other")  # a newer AI may send a reason v1 doesn't define
        return Decision(answer=False, reason=reason, explanation=handover.explanation)
    _count("empty", started)
    return Decision(answer=False, reason="empty_answer", explanation="the AI answered with no text")


def _count(result: str, started: float) -> None:
    AI_REQUESTS.labels(result).inc()
    AI_REQUEST_SECONDS.labels(result).observe(time.perf_counter() - started)
