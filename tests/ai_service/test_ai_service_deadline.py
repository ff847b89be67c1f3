"""The servicer near its deadline: with almost no time left the FAQ backend hands over at once instead of searching."""

from ai_service.faq import load_faq
from ai_service.faq_responder import FaqResponder
from ai_service.servicer import AiServicer
from ai_service.settings import PACKAGED_FAQ
from botbridge.ai.v1 import ai_pb2


class NearlyExpiredContext:
    """A servicer context whose caller's deadline is one millisecond away."""

    def time_remaining(self) -> float:
        return 0.001


async def test_almost_expired_deadline_gets_an_immediate_handover() -> None:
    # In: an FAQ question with 1 ms left. Out: a handover (OTHER) saying how little time was left.
    servicer = AiServicer(FaqResponder(load_faq(PACKAGED_FAQ), 0.55))
    conversation = ai_pb2.Conversation(message=ai_pb2.Message(body="How long does delivery take?"))
    response = await servicer.Respond(ai_pb2.RespondRequest(conversation=conversation), NearlyExpiredContext())
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_OTHER
    assert "1.0 ms" in response.handover.explanation


async def test_a_request_for_a_person_keeps_its_reason_even_without_time() -> None:
    # In: "I want to talk to a human" with 1 ms left. Out: CUSTOMER_REQUEST (the check needs no search).
    servicer = AiServicer(FaqResponder(load_faq(PACKAGED_FAQ), 0.55))
    conversation = ai_pb2.Conversation(message=ai_pb2.Message(body="I want to talk to a human"))
    response = await servicer.Respond(ai_pb2.RespondRequest(conversation=conversation), NearlyExpiredContext())
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST
