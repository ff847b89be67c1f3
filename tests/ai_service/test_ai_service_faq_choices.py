"""The FAQ AI offers choices when two entries tie, and answers the picked one."""

from ai_service.faq import load_faq
from ai_service.faq_responder import FaqResponder
from ai_service.settings import PACKAGED_FAQ, AiSettings
from botbridge.ai.v1 import ai_pb2

RESPONDER = FaqResponder(load_faq(PACKAGED_FAQ), AiSettings().confidence_threshold)


def _conversation(body: str, picked: ai_pb2.Choice | None = None) -> ai_pb2.Conversation:
    message = ai_pb2.Message(content_id="c-1", author=ai_pb2.AUTHOR_CUSTOMER, body=body, picked_choice=picked)
    return ai_pb2.Conversation(thread_id="t-1", language="en", message=message)


async def test_two_entries_that_tie_are_offered_as_choices_with_their_ids_as_payloads():
    # In: "delivery", as close to "shipping costs" as to "delivery times". Out: an answer asking which, with the
    # two entries' first questions as titles and their ids as payloads.
    response = await RESPONDER.respond(_conversation("delivery"), None)

    assert response.answer.text == "Which of these do you mean?"
    assert {c.payload for c in response.answer.choices} == {"shipping_costs", "delivery_times"}
    assert all(0 < len(c.title) <= 80 and not c.url for c in response.answer.choices)


async def test_the_picked_choice_gets_its_entry_answered():
    # In: the customer's next message, the title of the "delivery_times" choice, with picked_choice set.
    # Out: that entry's answer, fully confident, and no more choices.
    offered = (await RESPONDER.respond(_conversation("delivery"), None)).answer.choices
    pick = next(c for c in offered if c.payload == "delivery_times")

    response = await RESPONDER.respond(_conversation(pick.title, pick), None)

    assert response.answer.text == load_faq(PACKAGED_FAQ).entry("delivery_times").answers["en"]
    assert response.answer.confidence == 1.0 and not response.answer.choices
