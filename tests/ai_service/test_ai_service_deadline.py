"""The servicer near its deadline: with almost no time left it hands over at once instead of searching the FAQ."""

from ai_service.faq import load_faq
from ai_service.responder import Responder
from ai_service.servicer import AiServicer
from ai_service.settings import PACKAGED_FAQ
from botbridge.ai.v1 import ai_pb2


class NearlyExpiredContext:
    """A servicer context whose caller's deadline is one millisecond away."""

    def time_remaining(self) -> float:
        return 0.001


async def test_almost_expired_deadline_gets_an_immediate_handover() -> None:
    # In: an FAQ question with 1 ms left. Out: a handover (OTHER) saying how little time was left.
    servicer = AiServicer(Responder(load_faq(PACKAGED_FAQ), 0.55))
    conversation = ai_pb2.Conversation(message=ai_pb2.Message(body="How long does delivery take?"))
    response = await servicer.Respond(ai_pb2.RespondRequest(conversation=conversation), NearlyExpiredContext())
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_OTHER
    assert "1.0 ms" in response.handover.explanation
