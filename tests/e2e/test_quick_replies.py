"""Quick replies end to end: the FAQ AI offers a choice when two entries tie; the bridge shows it as a `select` on
a channel that takes one and as a numbered list on one that does not; the customer's pick is answered. Real
processes against the sandbox."""

import httpx

from ai_service.faq import load_faq
from ai_service.settings import PACKAGED_FAQ
from tests.e2e.conftest import bot_contents, outcome_of

TIED_QUESTION = "delivery"  # as close to "shipping costs" as to "delivery times" in the packaged FAQ
DELIVERY_TIMES = load_faq(PACKAGED_FAQ).entry("delivery_times").answers["en"]


def _text_only_source(stack) -> str:
    """A Twitter source (no structured messages) on the default channel, its threads in the bot category."""
    world = stack.world
    answer = httpx.post(
        f"{stack.sandbox_url}/_sandbox/sources",
        json={
            "name": "Twitter DMs",
            "type": "twitter",
            "channel_id": world["channels"][0]["id"],
            "default_category_ids": world["bot_category_ids"],
        },
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["id"]


def test_a_tie_is_offered_as_a_select_on_a_messaging_channel_and_the_tapped_choice_answered(stack, sandbox):
    # In: "delivery" on the default RingCX messaging source, then the customer taps "delivery times" (its title
    # comes back as the next message). Out: a select reply with both entries; then the delivery times answer.
    message = sandbox.customer_writes(TIED_QUESTION)
    thread_id = message["thread_id"]
    assert outcome_of(stack, message["content"]) == "answered"
    [offer] = bot_contents(sandbox.transcript(thread_id))
    structured = offer["structured_content"]
    assert structured["type"] == "select" and len(structured["items"]) == 2
    tapped = next(item for item in structured["items"] if item["payload"] == "delivery_times")

    pick = sandbox.customer_writes(tapped["title"], thread_id=thread_id)

    assert outcome_of(stack, pick["content"]) == "answered"
    answer = bot_contents(sandbox.transcript(thread_id))[-1]
    assert answer["in_reply_to_id"] == pick["content"]["id"]
    assert answer["body"].split()[:4] == DELIVERY_TIMES.split()[:4]


def test_a_tie_is_a_numbered_list_on_a_text_only_channel_and_the_typed_number_answered(stack, sandbox):
    # In: "delivery" on a Twitter source, then the customer types the number of "delivery times".
    # Out: one plain-text reply listing the two choices "1. ..." and "2. ..."; then the delivery times answer.
    message = sandbox.customer_writes(TIED_QUESTION, source_id=_text_only_source(stack))
    thread_id = message["thread_id"]
    assert outcome_of(stack, message["content"]) == "answered"
    [offer] = bot_contents(sandbox.transcript(thread_id))
    assert offer["structured_content"] is None
    lines = offer["body"].splitlines()
    assert lines[0] == "Which of these do you mean?" and [line[:3] for line in lines[-2:]] == ["1. ", "2. "]
    number = next(line[0] for line in lines[-2:] if "deliver" in line.lower() and "cost" not in line.lower())

    pick = sandbox.customer_writes(number, thread_id=thread_id)

    assert outcome_of(stack, pick["content"]) == "answered"
    answer = bot_contents(sandbox.transcript(thread_id))[-1]
    assert answer["body"].split()[:4] == DELIVERY_TIMES.split()[:4]
