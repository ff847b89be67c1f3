"""AiService.Respond over real gRPC: each kind of customer message and the decision that must come back."""

import json

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ai_service.server import SERVICE_NAME
from ai_service.settings import PACKAGED_FAQ, AiSettings
from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc

ANSWERS = {entry["id"]: entry["answer"] for entry in json.loads(PACKAGED_FAQ.read_text(encoding="utf-8"))["entries"]}


async def respond(stub: ai_pb2_grpc.AiServiceStub, body: str, language: str = "") -> ai_pb2.RespondResponse:
    conversation = ai_pb2.Conversation(
        thread_id="thread-1", source_id="source-1", language=language, message=ai_pb2.Message(body=body)
    )
    return await stub.Respond(ai_pb2.RespondRequest(conversation=conversation), timeout=5)


async def test_paraphrased_faq_question_gets_the_entry_answer(ai_stub, ai_settings: AiSettings) -> None:
    # In: a delivery-time question worded unlike any FAQ variant. Out: the delivery answer, confident enough.
    response = await respond(ai_stub, "Hi, how many days until my stuff is delivered?")
    assert response.WhichOneof("outcome") == "answer"
    assert response.answer.text == ANSWERS["delivery_times"]["en"]
    assert response.answer.confidence >= ai_settings.confidence_threshold
    assert "delivery_times" in response.answer.explanation
    assert not response.answer.conversation_finished


async def test_unrelated_question_is_handed_over_for_low_confidence(ai_stub) -> None:
    # In: an off-topic question. Out: LOW_CONFIDENCE, the explanation naming the best candidate and its score.
    response = await respond(ai_stub, "Can you recommend a good laptop for gaming?")
    assert response.WhichOneof("outcome") == "handover"
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE
    assert "best candidate: FAQ entry" in response.handover.explanation
    assert "scored 0." in response.handover.explanation


@pytest.mark.parametrize(
    "body", ["I want to talk to a human", "Can I speak to someone please?", "Je veux parler à un conseiller"]
)
async def test_request_for_a_person_is_a_customer_request_handover(ai_stub, body: str) -> None:
    # In: a customer asking for a person, in English or French. Out: CUSTOMER_REQUEST.
    response = await respond(ai_stub, body)
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST


@pytest.mark.parametrize("language", ["", "fr", "fr-FR"])
async def test_french_question_gets_the_french_answer(ai_stub, language: str) -> None:
    # In: a French return question, language given by Dimelo or guessed. Out: the French returns answer (Markdown).
    response = await respond(ai_stub, "Je voudrais retourner un pantalon trop petit", language)
    assert response.answer.text == ANSWERS["returns"]["fr"]
    assert "**30 jours**" in response.answer.text


@pytest.mark.parametrize(
    ("body", "closing"), [("thanks, bye!", "You're welcome"), ("Merci, au revoir", "Avec plaisir")]
)
async def test_thanks_and_goodbye_finish_the_conversation(ai_stub, body: str, closing: str) -> None:
    # In: a closing message. Out: a closing answer in the customer's language, conversation_finished set.
    response = await respond(ai_stub, body)
    assert response.answer.conversation_finished
    assert response.answer.text.startswith(closing)


async def test_greeting_is_greeted_back_without_finishing(ai_stub) -> None:
    # In: a bare "Bonjour". Out: a French greeting that asks how to help; the conversation goes on.
    response = await respond(ai_stub, "Bonjour !")
    assert response.answer.text.startswith("Bonjour")
    assert not response.answer.conversation_finished


@pytest.mark.parametrize("body", ["", "   \n\t", "👍", "?!"])
async def test_message_without_words_is_unusable(ai_stub, body: str) -> None:
    # In: an empty, blank or word-less message. Out: UNUSABLE_MESSAGE.
    response = await respond(ai_stub, body)
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_UNUSABLE_MESSAGE


async def test_language_without_faq_is_unsupported(ai_stub) -> None:
    # In: a message Dimelo tagged German. Out: UNSUPPORTED_LANGUAGE naming the language.
    response = await respond(ai_stub, "Wo ist meine Bestellung?", "de")
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_UNSUPPORTED_LANGUAGE
    assert "'de'" in response.handover.explanation


@pytest.mark.parametrize(
    "request_", [ai_pb2.RespondRequest(), ai_pb2.RespondRequest(conversation=ai_pb2.Conversation(thread_id="t"))]
)
async def test_request_without_message_is_invalid(ai_stub, request_: ai_pb2.RespondRequest) -> None:
    # In: no conversation, or a conversation without a message. Out: INVALID_ARGUMENT.
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await ai_stub.Respond(request_, timeout=5)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("service", ["", SERVICE_NAME])
async def test_health_reports_serving(ai_channel: grpc.aio.Channel, service: str) -> None:
    # In: a health check for the server and for botbridge.ai.v1.AiService. Out: SERVING.
    health = health_pb2_grpc.HealthStub(ai_channel)
    response = await health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
    assert SERVICE_NAME == "botbridge.ai.v1.AiService"
    assert response.status == health_pb2.HealthCheckResponse.SERVING
