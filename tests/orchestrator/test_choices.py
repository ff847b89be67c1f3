"""Choices offered by the AI: a structured message where the content's channel takes one, else a numbered list;
the customer's next message read back as the pick."""

import grpc
import pytest

from botbridge.ai.v1 import ai_pb2
from orchestrator.choices import picked, reply_form
from tests.orchestrator.conftest import customer_message, settled

_CHOICES = [
    ai_pb2.Choice(title="Shipping **costs**", payload="shipping"),
    ai_pb2.Choice(title="Delivery times", payload="times"),
]
_ASKING = ai_pb2.RespondResponse(answer=ai_pb2.Answer(text="Which of these do you mean?", choices=_CHOICES))


async def test_a_channel_that_takes_select_gets_a_select_with_plain_titles(peers, settings_for, start_orchestrator):
    # In: an answer with two choices to a content whose capabilities_supported lists select.
    # Out: one reply, the answer as its body, a select of the two choices (titles as plain text, payloads kept).
    ai, dimelo, _ = peers
    ai.response = _ASKING
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message(capabilities_supported=["select", "template"]))
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome == "answered"
    [reply] = dimelo.calls["CreateReply"]
    assert reply.body == "Which of these do you mean?"
    assert reply.structured_content.type == "select"
    assert [(i.title, i.payload) for i in reply.structured_content.items] == [
        ("Shipping costs", "shipping"),
        ("Delivery times", "times"),
    ]


async def test_a_text_only_channel_gets_a_numbered_list_and_a_typed_number_is_the_pick(
    peers, settings_for, start_orchestrator
):
    # In: the same answer on a content with no capabilities, then the customer writes "2".
    # Out: a plain reply with the choices numbered; the AI gets the second message with picked_choice = choice 2.
    ai, dimelo, _ = peers
    ai.response = _ASKING
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message(id="c-1"))
    await settled(running, "thread-1", 1)
    await running.submit(customer_message(id="c-2", body=" 2 "))
    await settled(running, "thread-1", 2)

    first = dimelo.calls["CreateReply"][0]
    assert not first.HasField("structured_content")
    assert first.body == "Which of these do you mean?\n\n1. Shipping costs\n2. Delivery times"
    pick = ai.requests[1].conversation.message.picked_choice
    assert (pick.title, pick.payload) == ("Delivery times", "times")
    assert not ai.requests[0].conversation.message.HasField("picked_choice")


@pytest.mark.parametrize(
    ("body", "payload"),
    [
        ("Delivery times", "times"),
        ("  delivery   TIMES ", "times"),
        ("1.", "shipping"),
        ("3", None),
        ("delivery", None),
    ],
)
def test_a_pick_is_a_title_or_a_number_in_the_list(body, payload):
    offered = (
        {"title": "Shipping costs", "payload": "shipping", "url": ""},
        {"title": "Delivery times", "payload": "times", "url": ""},
    )
    choice = picked(body, offered)
    assert (choice["payload"] if choice else None) == payload


def _choices(count: int, link: bool = False) -> list[dict]:
    return [
        {"title": f"Choice {n}", "payload": f"c{n}", "url": "https://x.test/" if link and n == 0 else ""}
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("capabilities", "choices", "form"),
    [
        (["select", "template"], _choices(5), "select"),
        (["select", "template"], _choices(3, link=True), "template"),  # a link needs a button
        (["template", "list"], _choices(3), "template"),  # WhatsApp: reply buttons
        (["template", "list"], _choices(5), "list"),  # more than a template's 4 buttons
        (["select", "list"], _choices(2, link=True), "list"),  # Apple: no template for the link
        ([], _choices(2), "list"),
    ],
)
def test_the_reply_form_follows_the_channel_s_capabilities(capabilities, choices, form):
    # In: an answer with choices and the customer content's capabilities_supported. Out: a select, a template, or
    # the text with a numbered list (no structured content).
    text, structured = reply_form("Which one?", choices, capabilities, 2000)
    assert (structured.type if structured else "list") == form
    assert text == "Which one?" if structured else text.startswith("Which one?\n\n1. Choice 0")


async def test_a_structured_reply_dimelo_refuses_is_posted_as_a_numbered_list(peers, settings_for, start_orchestrator):
    # In: a select for a content that says it takes one, refused by Dimelo (422 -> FAILED_PRECONDITION).
    # Out: the same answer posted once more, as text with the numbered choices; the message is answered.
    ai, dimelo, _ = peers
    ai.response = _ASKING
    dimelo.failures["CreateReply"] = [grpc.StatusCode.FAILED_PRECONDITION]
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message(capabilities_supported=["select"]))
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome == "answered"
    first, second = dimelo.calls["CreateReply"]
    assert first.HasField("structured_content") and not second.HasField("structured_content")
    assert second.body.endswith("1. Shipping costs\n2. Delivery times")
