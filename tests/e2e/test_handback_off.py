"""Handback off (the default): a thread the agents move back to a bot category stays with the agents."""

from tests.e2e.conftest import bot_contents, outcome_of
from tests.e2e.handback_steps import agent_answers_then_returns, handbacks, handed_over_thread


def test_with_handback_off_the_bot_stays_silent_in_a_returned_thread(stack, sandbox):
    # In: handed over; an agent replies, moves the thread back to the bot category and closes their intervention;
    # the customer writes again. Out: the message is ignored (the thread is with the agents), no bot reply to it,
    # no handback counted.
    thread_id, content_id = handed_over_thread(stack, sandbox)
    agent_answers_then_returns(stack, sandbox, thread_id, content_id, "cy", close=True)

    again = sandbox.customer_writes("What are your opening hours?", thread_id=thread_id)

    assert outcome_of(stack, again["content"]).startswith("ignored: thread is with agents")
    assert all(c["in_reply_to_id"] != again["content"]["id"] for c in bot_contents(sandbox.transcript(thread_id)))
    assert handbacks(stack, "customer_wrote") == handbacks(stack, "intervention_closed") == 0
