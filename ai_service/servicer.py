"""The gRPC face of the AI: checks the request, asks the backend with the time left, logs the decision."""

import logging

import grpc

from ai_service.backend import Backend
from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc

log = logging.getLogger(__name__)


class AiServicer(ai_pb2_grpc.AiServiceServicer):
    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    async def Respond(
        self,
        request: ai_pb2.RespondRequest,
        context: grpc.aio.ServicerContext[ai_pb2.RespondRequest, ai_pb2.RespondResponse],
    ) -> ai_pb2.RespondResponse:
        if not request.HasField("conversation") or not request.conversation.HasField("message"):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "conversation.message is required")
        response = await self._backend.respond(request.conversation, context.time_remaining())
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
