"""The gRPC face of the AI: checks the request and the deadline, asks the responder, logs the decision."""

import logging

import grpc

from ai_service.responder import Responder, handover
from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc

log = logging.getLogger(__name__)

# Below this much time before the caller's deadline, searching the FAQ (about a millisecond) is not attempted.
_FAQ_SEARCH_BUDGET_SECONDS = 0.003


class AiServicer(ai_pb2_grpc.AiServiceServicer):
    def __init__(self, responder: Responder) -> None:
        self._responder = responder

    async def Respond(
        self, request: ai_pb2.RespondRequest, context: grpc.aio.ServicerContext
    ) -> ai_pb2.RespondResponse:
        if not request.HasField("conversation") or not request.conversation.HasField("message"):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "conversation.message is required")
        remaining = context.time_remaining()
        if remaining is not None and remaining < _FAQ_SEARCH_BUDGET_SECONDS:
            explanation = f"only {remaining * 1000:.1f} ms were left before the deadline"
            response = handover(ai_pb2.HANDOVER_REASON_OTHER, explanation)
        else:
            response = self._responder.respond(request.conversation)
        _log_decision(request.conversation.thread_id, response)
        return response


def _log_decision(thread_id: str, response: ai_pb2.RespondResponse) -> None:
    """One line per decision, without the customer's words."""
    if response.HasField("answer"):
        decision = {"outcome": "answer", "finished": response.answer.conversation_finished}
        explanation = response.answer.explanation
    else:
        decision = {"outcome": "handover", "reason": ai_pb2.HandoverReason.Name(response.handover.reason)}
        explanation = response.handover.explanation
    log.info("responded: %s", explanation, extra={"thread_id": thread_id, **decision})
