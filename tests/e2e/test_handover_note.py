"""A handover leaves the agents a private note on why, where the reference says notes go: an intervention comment
(`/1.0/intervention_comments`). Real processes against the sandbox."""

import httpx

from tests.e2e.conftest import bot_contents, outcome_of


def _comments(stack, thread_id: str) -> list[dict]:
    """The thread's intervention comments, read as Dimelo's REST API serves them to the token's user."""
    answer = httpx.get(
        f"{stack.sandbox_url}/1.0/intervention_comments",
        params={"thread_id": thread_id},
        headers={"Authorization": f"Bearer {stack.world['bot_user']['token']}"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["records"]


def test_a_handover_leaves_the_agents_a_private_note_with_the_reason_and_the_explanation(stack, sandbox):
    # In: a customer asks for a human on a fresh thread (the FAQ AI hands over, reason "customer_request").
    # Out: one comment on the bot's intervention with the reason and the AI's explanation; the customer's view of
    # the thread (its contents) holds the handover notice only, never the note.
    message = sandbox.customer_writes("I want to talk to a human")
    thread_id = message["thread_id"]

    outcome = outcome_of(stack, message["content"])

    assert outcome.startswith("handed over (customer_request)"), outcome
    [note] = _comments(stack, thread_id)
    assert "Reason: customer_request" in note["body"]
    assert "Why: " in note["body"] and "Agents available: " in note["body"]
    assert note["user_id"] == stack.world["bot_user"]["id"]
    transcript = sandbox.transcript(thread_id)
    [notice] = bot_contents(transcript)
    assert notice["intervention_id"] == note["intervention_id"]
    assert all("Reason:" not in c["body"] for c in transcript["contents"])
