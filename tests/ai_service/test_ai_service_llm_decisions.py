"""What the model's reply becomes: an answer, or a handover asked for with the tool or the [HANDOVER] sentinel."""

import httpx
import pytest
from fake_chat_server import FakeModel, completion, tool_call

from botbridge.ai.v1 import ai_pb2


def replying(body: dict) -> FakeModel:
    return FakeModel(lambda request: httpx.Response(200, json=body))


def conversation(body: str) -> ai_pb2.Conversation:
    return ai_pb2.Conversation(thread_id="t-1", message=ai_pb2.Message(author=ai_pb2.AUTHOR_CUSTOMER, body=body))


async def test_the_models_text_is_the_answer(llm_responder) -> None:
    # In: the model answers with text around blank lines. Out: that text, trimmed; confidence 0 (a model gives
    # none); the explanation names the model; the conversation goes on.
    responder = llm_responder(replying(completion("\n  We ship to Belgium in 3 days.  \n")))
    response = await responder.respond(conversation("Do you ship to Belgium?"), None)

    assert response.answer.text == "We ship to Belgium in 3 days."
    assert response.answer.confidence == 0
    assert response.answer.explanation == "answered by fake-model"
    assert not response.answer.conversation_finished


async def test_a_goodbye_answered_by_the_model_finishes_the_conversation(llm_responder) -> None:
    # In: "thanks, bye!" answered by the model. Out: the model's answer, conversation_finished set.
    responder = llm_responder(replying(completion("Bye, have a nice day!")))
    response = await responder.respond(conversation("thanks, bye!"), None)
    assert response.answer.text == "Bye, have a nice day!"
    assert response.answer.conversation_finished


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("customer_request", ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST),
        ("low_confidence", ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE),
        ("unsupported_language", ai_pb2.HANDOVER_REASON_UNSUPPORTED_LANGUAGE),
        ("unusable_message", ai_pb2.HANDOVER_REASON_UNUSABLE_MESSAGE),
        ("other", ai_pb2.HANDOVER_REASON_OTHER),
        ("LOW_CONFIDENCE", ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE),
    ],
)
async def test_the_handover_tool_gives_the_reason_and_explanation(llm_responder, reason, expected) -> None:
    # In: the model calls handover_to_agent with a reason and an explanation, and writes some text too.
    # Out: a handover with the contract's reason; the explanation names the model and carries the model's words.
    call = tool_call("handover_to_agent", {"reason": reason, "explanation": "Refund outside the policy."})
    response = await llm_responder(replying(completion("Let me check.", [call]))).respond(conversation("Refund?"), None)

    assert response.handover.reason == expected
    assert response.handover.explanation == "fake-model handed over: Refund outside the policy."


@pytest.mark.parametrize(
    ("arguments", "explanation"),
    [
        ({"reason": "escalation", "explanation": "Angry customer."}, "Angry customer. (reason given: 'escalation')"),
        ('{"reason": "low_conf', "(the tool call's arguments are not a JSON object)"),
        ({"reason": "low_confidence"}, "(no explanation given)"),
    ],
)
async def test_an_odd_handover_tool_call_still_hands_over(llm_responder, arguments, explanation) -> None:
    # In: a reason the contract does not know; arguments that are not JSON; no explanation.
    # Out: a handover all the same (OTHER unless the reason is known), saying what was odd.
    responder = llm_responder(replying(completion(None, [tool_call("handover_to_agent", arguments)])))
    response = await responder.respond(conversation("Refund?"), None)
    assert response.WhichOneof("outcome") == "handover"
    assert response.handover.explanation == f"fake-model handed over: {explanation}"


@pytest.mark.parametrize(
    ("text", "reason", "explanation"),
    [
        (
            "[HANDOVER] low_confidence: Unsure about opened items.",
            ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE,
            "Unsure about opened items.",
        ),
        (
            "[handover] customer_request:The customer wants Anna.",
            ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST,
            "The customer wants Anna.",
        ),
        ("[HANDOVER] Note: needs the order history.", ai_pb2.HANDOVER_REASON_OTHER, "Note: needs the order history."),
        ("I am not sure about that one. [HANDOVER]", ai_pb2.HANDOVER_REASON_OTHER, "I am not sure about that one."),
    ],
)
async def test_the_sentinel_in_the_text_hands_over(llm_responder, text, reason, explanation) -> None:
    # In: a reply with the [HANDOVER] sentinel (any case, at the start or later; with a known reason, another
    # word, or none). Out: a handover, never the sentinel text as an answer; the reason when known, else OTHER.
    response = await llm_responder(replying(completion(text)), llm_use_tools=False).respond(conversation("Hm?"), None)

    assert response.handover.reason == reason
    assert response.handover.explanation == f"fake-model handed over: {explanation}"


@pytest.mark.parametrize("reply", [completion(None), completion("   "), completion(None, [tool_call("search", {})])])
async def test_a_reply_with_neither_text_nor_handover_is_handed_over(llm_responder, reply) -> None:
    # In: no content; blank content; only a call of a tool we did not offer. Out: a handover OTHER saying so.
    response = await llm_responder(replying(reply)).respond(conversation("Hello?"), None)
    assert response.handover.reason == ai_pb2.HANDOVER_REASON_OTHER
    assert response.handover.explanation == "fake-model gave neither an answer nor a handover"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("I want to talk to a human", ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST),
        ("Je veux parler à un conseiller", ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST),
        (" \n\t", ai_pb2.HANDOVER_REASON_UNUSABLE_MESSAGE),
    ],
)
async def test_requests_for_a_person_and_empty_messages_never_reach_the_model(llm_responder, body, reason) -> None:
    # In: a request for a person (English, French); a blank message. Out: CUSTOMER_REQUEST, UNUSABLE_MESSAGE,
    # and no request to the model.
    model = FakeModel()
    response = await llm_responder(model).respond(conversation(body), None)
    assert response.handover.reason == reason
    assert model.received == []
