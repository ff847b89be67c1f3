"""A customer message holding NUL characters is answered like any other, on SQLite and on PostgreSQL (which refuses
NUL in text): intake replaces them by U+FFFD, so neither the store nor the history write fails later."""

from botbridge.ai.v1 import ai_pb2
from tests.orchestrator.conftest import customer_message, settled


async def test_a_message_with_nul_characters_is_answered_not_dead_lettered(peers, settings_for, start_orchestrator):
    # In: a customer message whose body, thread id and content id hold NUL characters. Out: answered (one reply),
    # the AI asked with U+FFFD in their place; nothing dead-lettered.
    ai, dimelo, _ = peers
    ai.response = ai_pb2.RespondResponse(answer=ai_pb2.Answer(text="Yes, we do."))
    running = await start_orchestrator(settings_for())
    await running.submit(customer_message(thread_id="thread\x00nul", body="do you\x00ship?", id="content\x00nul"))
    [event] = await settled(running, "thread\ufffdnul", 1)
    assert (event.state, event.outcome) == ("done", "answered")
    assert ai.requests[0].conversation.message.body == "do you\ufffdship?"
    [reply] = dimelo.calls["CreateReply"]
    assert reply.in_reply_to_id == "content\ufffdnul"
