"""Handback on (HANDBACK=on): a thread the agents give back to a bot category is the bot's again. Real processes
against the sandbox."""

from tests.e2e.conftest import bot_contents, outcome_of
from tests.e2e.handback_steps import agent_answers_then_returns, handbacks, handed_over_thread, wait_handbacks

STACK_ENV = {"HANDBACK": "on"}


def test_a_thread_moved_back_to_a_bot_category_is_answered_by_the_bot_again(stack, sandbox):
    # In: handed over; an agent replies and moves the thread back to the bot category; the customer writes again.
    # Out: the bot answers that message (a fresh turn), and the handback is counted (signal customer_wrote).
    thread_id, content_id = handed_over_thread(stack, sandbox)
    before = handbacks(stack, "customer_wrote")
    agent_answers_then_returns(stack, sandbox, thread_id, content_id, "ada", close=False)

    again = sandbox.customer_writes("What are your opening hours?", thread_id=thread_id)

    assert outcome_of(stack, again["content"]) == "answered"
    answer = bot_contents(sandbox.transcript(thread_id))[-1]
    assert answer["in_reply_to_id"] == again["content"]["id"]
    assert handbacks(stack, "customer_wrote") == before + 1


def test_an_agent_closing_their_intervention_in_a_bot_category_hands_the_thread_back(stack, sandbox):
    # In: handed over; an agent replies, moves the thread to the bot category and closes their intervention.
    # Out: the intervention.closed event hands the thread back at once (signal intervention_closed); the customer's
    # next message is answered by the bot.
    thread_id, content_id = handed_over_thread(stack, sandbox)
    before = handbacks(stack, "intervention_closed")
    agent_answers_then_returns(stack, sandbox, thread_id, content_id, "bob", close=True)

    assert wait_handbacks(stack, "intervention_closed", before + 1) == before + 1
    again = sandbox.customer_writes("What are your opening hours?", thread_id=thread_id)

    assert outcome_of(stack, again["content"]) == "answered"
    assert bot_contents(sandbox.transcript(thread_id))[-1]["in_reply_to_id"] == again["content"]["id"]
