"""Handback (HANDBACK=on): threads the agents give back to a bot category come back to the bot. The fake adapter
says the thread is in the bot category "bot-cat" and in no agent category."""

import grpc

from botbridge.ai.v1 import ai_pb2
from botbridge.events.v1 import events_pb2
from tests.orchestrator.conftest import customer_message, settled

_HUMAN = ai_pb2.RespondResponse(handover=ai_pb2.Handover(reason=ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST))
_ANSWER = ai_pb2.RespondResponse(answer=ai_pb2.Answer(text="We open at 9."))


def _agent_reply(body: str) -> events_pb2.Event:
    event = customer_message(body=body, creator_id="agent-7")
    event.type, event.user_id = "content.replied", "agent-7"
    return event


def _intervention_closed(thread_id: str = "thread-1") -> events_pb2.Event:
    event = events_pb2.Event(
        id=f"event-closed-{thread_id}",
        type="intervention.closed",
        resource_type="intervention",
        resource_id="iv-agent",
        user_id="agent-7",
        raw_json="{}",
        intervention=events_pb2.Intervention(id="iv-agent", thread_id=thread_id, user_id="agent-7"),
    )
    event.issued_at.GetCurrentTime()
    return event


async def test_the_customer_writing_in_a_returned_thread_gets_a_fresh_bot_turn_with_the_agent_s_words(
    peers, settings_for, start_orchestrator
):
    # In: a handover (the bot recategorizes for the agents), an agent's reply, then the customer writes again while
    # the thread is back in the bot category. Out: that message is answered; the AI sees the agent's reply in the
    # history; a new bot intervention is opened for the fresh turn.
    ai, dimelo, _ = peers
    running = await start_orchestrator(settings_for(handback="on", bot_category_ids=["bot-cat"]))
    ai.response = _HUMAN
    await running.submit(customer_message(id="c-1", body="A human please"))
    await settled(running, "thread-1", 1)
    await running.submit(_agent_reply("Hello, Ada from support."))
    await settled(running, "thread-1", 2)

    ai.response = _ANSWER
    await running.submit(customer_message(id="c-3", body="When do you open?"))
    events = await settled(running, "thread-1", 3)

    assert events[2].outcome == "answered"
    history = ai.requests[-1].conversation.history
    assert [(m.author, m.body) for m in history][-1] == (ai_pb2.AUTHOR_AGENT, "Hello, Ada from support.")
    assert [c.content_id for c in dimelo.calls["OpenIntervention"]][-1] == "c-3"


async def test_an_intervention_closed_in_a_bot_category_hands_back_a_thread_the_agents_hold(
    peers, settings_for, start_orchestrator
):
    # In: an agent took a thread by replying; they close their intervention (thread in "bot-cat"); then an
    # intervention closes on a thread the bot holds. Out: the first is handed back (the customer's next message is
    # answered), the second changes nothing.
    running = await start_orchestrator(settings_for(handback="on", bot_category_ids=["bot-cat"]))
    await running.submit(_agent_reply("I'll take this one."))
    await settled(running, "thread-1", 1)

    await running.submit(_intervention_closed())
    events = await settled(running, "thread-1", 2)
    await running.submit(customer_message(body="Thanks! One more question"))
    events = await settled(running, "thread-1", 3)

    assert events[1].outcome == "thread handed back to the bot: intervention closed in a bot category"
    assert events[2].outcome == "answered"
    await running.submit(_intervention_closed("thread-2"))
    [other] = await settled(running, "thread-2", 1)
    assert other.outcome.startswith("ignored: no handback")


async def test_with_handback_off_intervention_events_are_not_even_queued(peers, settings_for, start_orchestrator):
    # In: HANDBACK off (the default); an agent's reply, then their intervention closed. Out: the event is ignored
    # at intake, and the customer's next message too.
    ai, _dimelo, _ = peers
    running = await start_orchestrator(settings_for(bot_category_ids=["bot-cat"]))
    await running.submit(_agent_reply("I'll take this one."))
    await settled(running, "thread-1", 1)
    await running.submit(_intervention_closed())
    await running.submit(customer_message(body="Hello?"))
    events = await settled(running, "thread-1", 3)

    assert any(e.outcome.startswith("ignored: event type 'intervention.closed'") for e in events), events
    assert events[-1].outcome.startswith("ignored: thread is with agents") and ai.requests == []


async def test_a_handback_whose_attempt_fails_for_good_still_hands_the_message_over(
    peers, settings_for, start_orchestrator
):
    """In: handback on, one attempt per message; the thread with the agents; the customer's next message comes back
    to the bot (first in a thread Dimelo files in a bot category), then GetContent fails. Out: the failure's handover
    sees the handback the attempt made (its writes were not committed yet): the customer gets the notice and the
    thread goes back to the agents, instead of being left with a bot that never answered."""
    ai, dimelo, _ = peers
    running = await start_orchestrator(settings_for(handback="on", bot_category_ids=["bot-cat"], max_attempts=1))
    ai.response = _HUMAN
    await running.submit(customer_message(id="c-1", body="A human please"))
    await settled(running, "thread-1", 1)
    notices_before = len(dimelo.replies)
    dimelo.failures["GetContent"] = [grpc.StatusCode.UNAVAILABLE]

    await running.submit(customer_message(id="c-2", body="Hello?", first_in_thread=True))
    events = await settled(running, "thread-1", 2)

    assert events[1].outcome.startswith("handed over"), events[1].outcome
    assert (await running.orchestrator.store.thread("thread-1")).owner == "agents"
    assert [reply.body for reply in dimelo.replies][notices_before:] == ["Passing you to an agent."]
