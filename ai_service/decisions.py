"""The decisions every backend returns: an answer, or a handover with its reason and explanation."""

from botbridge.ai.v1 import ai_pb2


def answer(
    text: str, confidence: float, explanation: str, finished: bool = False, choices: tuple[ai_pb2.Choice, ...] = ()
) -> ai_pb2.RespondResponse:
    decision = ai_pb2.Answer(
        text=text, confidence=confidence, explanation=explanation, conversation_finished=finished, choices=choices
    )
    return ai_pb2.RespondResponse(answer=decision)


def handover(reason: ai_pb2.HandoverReason, explanation: str) -> ai_pb2.RespondResponse:
    return ai_pb2.RespondResponse(handover=ai_pb2.Handover(reason=reason, explanation=explanation))


def out_of_time(remaining: float) -> ai_pb2.RespondResponse:
    """The handover when too little of the caller's deadline is left to do the work."""
    return handover(ai_pb2.HANDOVER_REASON_OTHER, f"only {remaining * 1000:.1f} ms were left before the deadline")
