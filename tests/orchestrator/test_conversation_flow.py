"""The orchestrator's conversation logic over real gRPC, with a scripted AI and adapter."""

import asyncio
import sqlite3

import grpc
import pytest

from botbridge.ai.v1 import ai_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2
from tests.orchestrator.conftest import customer_message, settled


async def test_answer_is_posted_once_as_plain_text_after_opening_an_intervention(
    peers, settings_for, start_orchestrator
):
    ai, dimelo, _ = peers
    ai.response = ai_pb2.RespondResponse(
        answer=ai_pb2.Answer(text="We open **9am–6pm**.<br>See <a href='https://x.test/h'>hours</a>")
    )
    running = await start_orchestrator(settings_for())
    event = customer_message(private_message=True)

    receipt = await running.submit(event)
    events = await settled(running, "thread-1", 1)

    assert receipt.receipts[0].disposition == orchestrator_pb2.EVENT_DISPOSITION_ACCEPTED
    assert events[0].outcome == "answered"
    assert [c.content_id for c in dimelo.calls["OpenIntervention"]] == [event.content.id]
    [reply] = dimelo.calls["CreateReply"]
    assert reply.in_reply_to_id == event.content.id
    assert reply.body == "We open 9am–6pm.\nSee hours (https://x.test/h)"
    assert reply.private_message is True
    assert ai.requests[0].conversation.message.body == "What are your opening hours?"


async def test_a_duplicate_event_or_a_second_event_for_the_same_content_gets_no_second_reply(
    peers, settings_for, start_orchestrator
):
    _, dimelo, _ = peers
    running = await start_orchestrator(settings_for())
    event = customer_message()
    same_content_new_event = customer_message(id=event.content.id)

    first = await running.submit(event)
    again = await running.submit(event, same_content_new_event)
    await settled(running, "thread-1", 2)

    assert first.receipts[0].disposition == orchestrator_pb2.EVENT_DISPOSITION_ACCEPTED
    assert again.receipts[0].disposition == orchestrator_pb2.EVENT_DISPOSITION_DUPLICATE
    assert len(dimelo.calls["CreateReply"]) == 1


async def test_handover_with_an_agent_available_recategorizes_and_leaves_the_thread(
    peers, settings_for, start_orchestrator
):
    ai, dimelo, _ = peers
    ai.response = ai_pb2.RespondResponse(handover=ai_pb2.Handover(reason=ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST))
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message(body="A human please"))
    events = await settled(running, "thread-1", 1)
    await running.submit(customer_message(body="Hello? Anyone?"))
    events = await settled(running, "thread-1", 2)

    assert events[0].outcome == "handed over (customer_request); agents available: 2"
    assert [list(c.category_ids) for c in dimelo.calls["UpdateThreadCategories"]] == [["agent-cat"]]
    assert [c.body for c in dimelo.calls["CreateReply"]] == ["Passing you to an agent."]
    assert events[1].outcome.startswith("ignored: thread is with agents")
    assert len(ai.requests) == 1


async def test_no_agent_available_tells_the_customer_and_queues_the_thread(peers, settings_for, start_orchestrator):
    ai, dimelo, _ = peers
    ai.response = ai_pb2.RespondResponse(handover=ai_pb2.Handover(reason=ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE))
    dimelo.available_agents = 0
    running = await start_orchestrator(settings_for(no_agent_message="All agents are busy."))

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome == "handed over (low_confidence); agents available: 0"
    assert [c.body for c in dimelo.calls["CreateReply"]] == ["All agents are busy."]
    assert len(dimelo.calls["UpdateThreadCategories"]) == 1


async def test_no_agent_available_with_keep_with_bot_policy_does_not_recategorize(
    peers, settings_for, start_orchestrator
):
    ai, dimelo, _ = peers
    ai.response = ai_pb2.RespondResponse(handover=ai_pb2.Handover(reason=ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE))
    dimelo.available_agents = 0
    running = await start_orchestrator(settings_for(no_agent_policy="keep_with_bot"))

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert "kept with the bot" in event.outcome
    assert dimelo.calls["UpdateThreadCategories"] == []


async def test_an_ai_that_hangs_past_the_deadline_leads_to_a_handover(peers, settings_for, start_orchestrator):
    ai, dimelo, _ = peers
    ai.delay = 2.0
    running = await start_orchestrator(settings_for(ai_deadline_seconds=0.2))

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome.startswith("handed over (ai_timeout)")
    assert len(dimelo.calls["UpdateThreadCategories"]) == 1


async def test_a_lost_reply_answer_is_checked_before_posting_again(peers, settings_for, start_orchestrator):
    _, dimelo, _ = peers
    dimelo.lose_reply_answer = True
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome == "answered"
    assert event.attempts == 2
    assert len(dimelo.calls["CreateReply"]) == 1
    assert len(dimelo.calls["FindReply"]) == 1
    assert len(dimelo.replies) == 1


async def test_a_reply_that_got_no_answer_is_looked_for_with_doubling_waits_then_posted_once(
    peers, settings_for, start_orchestrator
):
    """In: CreateReply fails at once with no answer from Dimelo (UNAVAILABLE, DIMELO_NO_ANSWER) and posts nothing;
    with LEASE_SECONDS=12 the call could still land for 6 s. Out: the next attempt looks for the reply at once, after
    1 s, 2 s more, and at the 6 s mark (FindReply 4 times, where one a second made 7), then posts it: CreateReply
    twice, one reply in the thread."""
    _, dimelo, _ = peers
    dimelo.failures["CreateReply"] = [grpc.StatusCode.UNAVAILABLE]
    running = await start_orchestrator(settings_for(lease_seconds=12.0))

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1, timeout=15.0)

    assert (event.outcome, event.attempts) == ("answered", 2)
    assert [len(dimelo.calls[name]) for name in ("CreateReply", "FindReply")] == [2, 4]
    assert len(dimelo.replies) == 1


async def test_a_reply_posted_whose_recording_commit_failed_is_found_again_not_posted_twice(
    peers, settings_for, start_orchestrator, monkeypatch
):
    """In: the reply is posted, then the one commit that records it and ends the event fails (the store refuses it,
    as a locked SQLite or an unreachable PostgreSQL does; a kill -9 there leaves the same store). Out: the next
    attempt finds the reply with FindReply and records it: one CreateReply, the outcome "answered", the reply once
    in the thread's history."""
    _, dimelo, _ = peers
    running = await start_orchestrator(settings_for())
    store = running.orchestrator.store
    finish = store.finish
    failures = [sqlite3.OperationalError("database is locked")]

    async def finish_failing_once(*args, **kwargs):
        if failures:
            raise failures.pop()
        await finish(*args, **kwargs)

    monkeypatch.setattr(store, "finish", finish_failing_once)
    event = customer_message()

    await running.submit(event)
    [record] = await settled(running, "thread-1", 1)

    assert (record.outcome, failures) == ("answered", [])
    assert [len(dimelo.calls[name]) for name in ("CreateReply", "FindReply")] == [1, 1]
    assert [m.content_id for m in await store.history("thread-1", 10)] == [event.content.id, "reply-1"]
    assert (await store.journal(event.content.id))["posted"]["reply_id"] == "reply-1"


async def test_the_ai_gets_history_size_earlier_messages(peers, settings_for, start_orchestrator):
    """In: HISTORY_SIZE=2, three messages of one thread answered in turn. Out: the third message reaches the AI with
    the two messages before it (the second and its answer), not more and not itself."""
    ai, _, _ = peers
    running = await start_orchestrator(settings_for(history_size=2))
    for count, body in enumerate(("first", "second", "third"), start=1):
        await running.submit(customer_message(body=body))
        await settled(running, "thread-1", count)

    assert [m.body for m in ai.requests[2].conversation.history] == ["second", "Hello!"]
    assert ai.requests[2].conversation.message.body == "third"


async def test_transient_dimelo_failures_are_retried_and_permanent_ones_handed_over(
    peers, settings_for, start_orchestrator
):
    """In: the answer's CreateReply fails with RESOURCE_EXHAUSTED, then PERMISSION_DENIED. Out: retried once, then
    the customer is handed to the agents (notice posted, thread recategorized) with the failure as the reason."""
    _, dimelo, _ = peers
    dimelo.failures["CreateReply"] = [grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.PERMISSION_DENIED]
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.state == "done" and event.attempts == 2
    assert event.outcome.startswith("handed over (processing_failed)")
    assert event.outcome.endswith(
        "failure: PERMISSION_DENIED (DIMELO_PERMISSION_DENIED): scripted failure of CreateReply"
    )
    assert [r.body for r in dimelo.replies] == ["Passing you to an agent."]
    assert len(dimelo.calls["UpdateThreadCategories"]) == 1
    thread = await running.orchestrator.store.thread("thread-1")
    assert (thread.owner, thread.handover_reason) == ("agents", "processing_failed")


async def test_a_handover_that_cannot_post_its_notice_still_recategorizes(peers, settings_for, start_orchestrator):
    """In: every CreateReply refused (PERMISSION_DENIED). Out: no reply, but the thread goes to the agents."""
    _, dimelo, _ = peers
    dimelo.failures["CreateReply"] = [grpc.StatusCode.PERMISSION_DENIED] * 2
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.state == "done"
    assert event.outcome.startswith("handed over after a failure, without a notice")
    assert dimelo.replies == [] and len(dimelo.calls["UpdateThreadCategories"]) == 1


async def test_a_dead_letter_only_when_the_handover_fails_too(peers, settings_for, start_orchestrator):
    """In: CreateReply and UpdateThreadCategories refused. Out: a dead letter naming both failures."""
    _, dimelo, _ = peers
    dimelo.failures["CreateReply"] = [grpc.StatusCode.PERMISSION_DENIED] * 2
    dimelo.failures["UpdateThreadCategories"] = [grpc.StatusCode.PERMISSION_DENIED]
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.state == "dead"
    assert event.outcome == (
        "PERMISSION_DENIED (DIMELO_PERMISSION_DENIED): scripted failure of CreateReply;"
        " handover failed: PERMISSION_DENIED (DIMELO_PERMISSION_DENIED): scripted failure of UpdateThreadCategories"
    )


async def test_contents_that_are_not_customer_messages_are_never_answered(peers, settings_for, start_orchestrator):
    ai, dimelo, _ = peers
    running = await start_orchestrator(settings_for())
    """In: as the webhook carries them (no auto_submitted), an agent's content, an API content, a page post (status
    ignored) and a welcome message (status user_initiated). Out: each ignored at intake, no Dimelo call, no AI."""
    agent_reply = customer_message(creator_id="agent-7")
    welcome = customer_message(status="user_initiated", first_in_thread=True)
    api_content = customer_message(created_from="api")
    page_post = customer_message(status="ignored")

    await running.submit(agent_reply, welcome, api_content, page_post)
    events = await settled(running, "thread-1", 4)

    assert all(e.outcome.startswith("ignored: ") for e in events), events
    assert ai.requests == [] and dict(dimelo.calls) == {}


async def test_a_welcome_the_webhook_cannot_tell_apart_is_read_once_and_not_answered(
    peers, settings_for, start_orchestrator
):
    """In: a first-in-thread content with status new (as a customer's first message), whose REST content says
    auto_submitted, then the customer's first message in another thread. Out: the welcome read with GetContent
    and ignored, no AI call for it; the customer's message (not auto_submitted) read once too, and answered."""
    ai, dimelo, _ = peers
    running = await start_orchestrator(settings_for())
    welcome = customer_message(first_in_thread=True)
    customer = customer_message(thread_id="thread-2", first_in_thread=True)
    dimelo.auto_submitted.add(welcome.content.id)

    await running.submit(welcome, customer)
    [ignored] = await settled(running, "thread-1", 1)
    [answered] = await settled(running, "thread-2", 1)

    assert ignored.outcome == "ignored: sent automatically by the source (e.g. a chat welcome message)"
    assert answered.outcome == "answered"
    # Once each; the two threads are processed side by side, in either order.
    assert sorted(r.content_id for r in dimelo.calls["GetContent"]) == sorted([welcome.content.id, customer.content.id])
    assert [r.conversation.message.content_id for r in ai.requests] == [customer.content.id]


async def test_a_reply_of_the_bot_user_is_recognised_by_its_creator_id(peers, settings_for, start_orchestrator):
    """In: a content.replied by the bot's user (creator_id from GetBotUser) that the store does not know, as after
    a lost answer. Out: ignored as the bot's own reply, the thread stays with the bot."""
    _ai, dimelo, _ = peers
    running = await start_orchestrator(settings_for())
    echo = customer_message(creator_id=dimelo.bot_user_id)
    echo.type = "content.replied"

    await running.submit(echo)
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome == "ignored: the bot's own reply"
    assert len(dimelo.calls["GetBotUser"]) == 1


@pytest.mark.parametrize("event_type", ["content.replied", "content.discussion_initiated"])
async def test_an_agent_reply_in_the_thread_stops_the_bot_there(peers, settings_for, start_orchestrator, event_type):
    """In: an agent's content in the thread, announced as a reply or as a discussion the agent started (events.md),
    then a customer's message. Out: the thread is the agents'; the customer's message is not put to the AI."""
    ai, _dimelo, _ = peers
    running = await start_orchestrator(settings_for())
    agent_reply = customer_message(creator_id="agent-7")
    agent_reply.type = event_type
    agent_reply.user_id = "agent-7"

    await running.submit(agent_reply)
    await settled(running, "thread-1", 1)
    await running.submit(customer_message())
    events = await settled(running, "thread-1", 2)

    assert events[0].outcome == "thread left to agents: an agent replied"
    assert events[1].outcome.startswith("ignored: thread is with agents")
    assert ai.requests == []


async def test_messages_of_one_thread_are_answered_in_issued_at_order_with_history(
    peers, settings_for, start_orchestrator
):
    ai, _dimelo, _ = peers
    running = await start_orchestrator(settings_for())
    first, second = customer_message(body="first"), customer_message(body="second")
    second.issued_at.seconds = first.issued_at.seconds + 1

    await running.submit(second, first)
    await settled(running, "thread-1", 2)

    assert [r.conversation.message.body for r in ai.requests] == ["first", "second"]
    assert [m.body for m in ai.requests[1].conversation.history] == ["first", "Hello!"]


async def test_an_ai_call_cut_off_by_a_crash_is_retried_and_answered(peers, settings_for, start_orchestrator):
    ai, dimelo, _ = peers
    ai.failures = [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE]
    running = await start_orchestrator(settings_for(ai_unavailable_retries=2))

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert (event.attempts, event.outcome) == (3, "answered")
    assert len(dimelo.calls["CreateReply"]) == 1


async def test_an_ai_unavailable_past_its_retries_leads_to_a_handover(peers, settings_for, start_orchestrator):
    ai, dimelo, _ = peers
    ai.failures = [grpc.StatusCode.UNAVAILABLE] * 3
    running = await start_orchestrator(settings_for(ai_unavailable_retries=2))

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.attempts == 3
    assert event.outcome.startswith("handed over (ai_error)")
    assert len(dimelo.calls["UpdateThreadCategories"]) == 1


async def test_an_unreachable_ai_is_retried_as_ai_unavailable_retries_says_then_handed_over(
    peers, settings_for, start_orchestrator
):
    """In: nothing listens at the AI's address, a 60 s AI deadline, AI_UNAVAILABLE_RETRIES=2. Out: three attempts
    (each fails at once, not at the deadline), then a handover for ai_error."""
    _, dimelo, _ = peers
    running = await start_orchestrator(
        settings_for(ai_addr="127.0.0.1:1", ai_deadline_seconds=60, ai_unavailable_retries=2)
    )

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.attempts == 3
    assert event.outcome.startswith("handed over (ai_error)")
    assert len(dimelo.calls["UpdateThreadCategories"]) == 1


async def test_an_earlier_message_delivered_a_moment_later_is_still_answered_first(
    peers, settings_for, start_orchestrator
):
    ai, _, _ = peers
    running = await start_orchestrator(settings_for(ordering_window_seconds=0.3))
    first, second = customer_message(body="first"), customer_message(body="second")
    second.issued_at.seconds = first.issued_at.seconds + 1

    await running.submit(second)
    await asyncio.sleep(0.05)  # the earlier message's delivery comes 50 ms after the later one's
    await running.submit(first)
    await settled(running, "thread-1", 2)

    assert [r.conversation.message.body for r in ai.requests] == ["first", "second"]


async def test_only_a_message_whose_predecessor_may_still_come_waits_for_the_ordering_window(
    peers, settings_for, start_orchestrator
):
    """In: a 60 s ordering window; a message in reply to a content nobody has seen (thread-2), then a thread's first
    message and a message in reply to it (thread-1). Out: thread-1's two messages are answered in order without
    waiting for the window (first_in_thread; predecessor stored); thread-2's message, submitted before them, is
    still held once they are done."""
    ai, _, _ = peers
    running = await start_orchestrator(settings_for(ordering_window_seconds=60.0))
    orphan = customer_message(thread_id="thread-2", body="orphan", in_reply_to_id="content-never-seen")
    first = customer_message(body="first", first_in_thread=True)
    second = customer_message(body="second", in_reply_to_id=first.content.id)

    await running.submit(orphan)
    await running.submit(first)
    await running.submit(second)
    await settled(running, "thread-1", 2)

    assert [r.conversation.message.body for r in ai.requests] == ["first", "second"]
    assert [e.state for e in await running.orchestrator.store.thread_events("thread-2")] == ["pending"]


async def test_a_message_whose_predecessor_is_missing_waits_for_it_longer_than_the_window(
    peers, settings_for, start_orchestrator
):
    """In: a 0.1 s ordering window; in thread-2, a message in reply to one not here yet, whose predecessor (written
    first) is delivered 0.5 s later, past the window. Out: still answered in order, predecessor first: a missing
    predecessor holds its follower for 2 s (orchestrator/ordering.py), not for the window."""
    ai, _, _ = peers
    running = await start_orchestrator(settings_for(ordering_window_seconds=0.1))
    predecessor = customer_message(thread_id="thread-2", body="earlier")
    follower = customer_message(thread_id="thread-2", body="later", in_reply_to_id=predecessor.content.id)

    await running.submit(follower)
    await asyncio.sleep(0.5)
    await running.submit(predecessor)
    await settled(running, "thread-2", 2)

    assert [r.conversation.message.body for r in ai.requests] == ["earlier", "later"]


async def test_a_predecessor_issued_in_the_same_millisecond_as_its_follower_delivered_after_it_is_answered_first(
    peers, settings_for, start_orchestrator
):
    """In: a 0.1 s window; a thread's first message and one in reply to it, both issued in the same millisecond
    (Dimelo's issued_at resolution), the follower delivered first (held 2 s: its predecessor is missing), then the
    first (due at once). Out: answered in order, first message first."""
    ai, _, _ = peers
    running = await start_orchestrator(settings_for(ordering_window_seconds=0.1))
    predecessor = customer_message(thread_id="thread-2", body="earlier", first_in_thread=True)
    follower = customer_message(thread_id="thread-2", body="later", in_reply_to_id=predecessor.content.id)
    follower.issued_at.CopyFrom(predecessor.issued_at)

    await running.submit(follower)
    await running.submit(predecessor)
    await settled(running, "thread-2", 2)

    assert [r.conversation.message.body for r in ai.requests] == ["earlier", "later"]


async def test_a_message_held_for_its_predecessor_goes_as_soon_as_the_predecessor_arrives(
    peers, settings_for, start_orchestrator
):
    """In: a 60 s ordering window; a message in reply to one not here yet (held for it: 60 s), then, 0.2 s later, that
    predecessor, a thread's first message. Out: both answered in order well within the window: the predecessor's
    arrival releases its follower, and the queue's order puts the predecessor first."""
    ai, _, _ = peers
    running = await start_orchestrator(settings_for(ordering_window_seconds=60.0))
    predecessor = customer_message(body="earlier", first_in_thread=True)
    follower = customer_message(body="later", in_reply_to_id=predecessor.content.id)
    follower.issued_at.seconds = predecessor.issued_at.seconds + 1

    await running.submit(follower)
    await asyncio.sleep(0.2)
    await running.submit(predecessor)
    await settled(running, "thread-1", 2)

    assert [r.conversation.message.body for r in ai.requests] == ["earlier", "later"]


async def test_a_message_following_the_bot_reply_still_waits_for_a_customer_message_written_before_that_reply(
    peers, settings_for, start_orchestrator
):
    """In: a 0.5 s window; the bot answers the first message; then a message written before that answer arrived
    (so it precedes the bot's reply) is delivered 0.2 s after one in reply to the bot's reply. Out: answered in
    order: a predecessor the bot wrote proves nothing about the customer's messages before it."""
    ai, dimelo, _ = peers
    running = await start_orchestrator(settings_for(ordering_window_seconds=0.5))
    await running.submit(customer_message(body="first", first_in_thread=True))
    await settled(running, "thread-1", 1)
    written_before_the_reply = customer_message(body="second")
    after_the_reply = customer_message(body="third", in_reply_to_id=dimelo.replies[0].id)

    await running.submit(after_the_reply)
    await asyncio.sleep(0.2)
    await running.submit(written_before_the_reply)
    await settled(running, "thread-1", 3)

    assert [r.conversation.message.body for r in ai.requests] == ["first", "second", "third"]


@pytest.mark.parametrize("echo_age", [0, 61], ids=["echoed_just_now", "echoed_a_minute_ago"])
async def test_a_message_following_an_echoed_bot_reply_still_waits_for_one_written_before_that_reply(
    peers, settings_for, start_orchestrator, echo_age
):
    """In: a 0.5 s window; the bot answers the first message and Dimelo's echo of the reply is taken in (moved
    `echo_age` seconds back in the store: as if it came then); a message in reply to the bot's reply, and 0.2 s later
    one written before the reply (in reply to the first). Out: answered in order: an echo, however long ago it came,
    does not show that everything written before the reply is here (seen under load in tests/e2e/test_reliability.py:
    such a message came 0.33 s after the echo), so the follow-up waits the window from its own arrival."""
    ai, dimelo, _ = peers
    running = await start_orchestrator(settings_for(ordering_window_seconds=0.5))
    store = running.orchestrator.store
    first = customer_message(body="first", first_in_thread=True)
    await running.submit(first)
    await settled(running, "thread-1", 1)
    echo = customer_message(id=dimelo.replies[0].id, creator_id="bot-user")
    echo.type = "content.replied"
    await running.submit(echo)
    await store._db.run(
        lambda: store._db.execute(
            "UPDATE events SET received_at = received_at - ? WHERE content_id = ?", (echo_age, dimelo.replies[0].id)
        )
    )
    written_before_the_reply = customer_message(body="second", in_reply_to_id=first.content.id)
    after_the_reply = customer_message(body="third", in_reply_to_id=dimelo.replies[0].id)

    await running.submit(after_the_reply)
    await asyncio.sleep(0.2)
    await running.submit(written_before_the_reply)
    await settled(running, "thread-1", 4)

    assert [r.conversation.message.body for r in ai.requests] == ["first", "second", "third"]


async def test_dimelo_echoing_a_known_bot_reply_is_settled_at_intake(peers, settings_for, start_orchestrator):
    """In: the content.replied event Dimelo sends for the bot's own, already recorded reply. Out: stored as done at
    intake (never processed: 0 attempts), the thread still with the bot."""
    _, dimelo, _ = peers
    running = await start_orchestrator(settings_for())
    await running.submit(customer_message())
    await settled(running, "thread-1", 1)
    echo = customer_message(id=dimelo.replies[0].id, creator_id="bot-user")
    echo.type = "content.replied"

    await running.submit(echo)
    events = await settled(running, "thread-1", 2)

    assert (events[1].outcome, events[1].attempts) == ("ignored: the bot's own reply", 0)
    assert (await running.orchestrator.store.thread("thread-1")).owner == "bot"


async def test_an_exported_content_no_one_announced_as_a_reply_leaves_the_thread_with_the_bot(
    peers, settings_for, start_orchestrator
):
    """In: content.exported for a content the bot did not post and no creator (as for an automatic survey or
    auto-response, which events.md says this event also tells of), then a customer's message. Out: the export is
    ignored by its type, the thread stays with the bot, and the customer's message is answered."""
    ai, _dimelo, _ = peers
    running = await start_orchestrator(settings_for())
    exported = customer_message(id="survey-1")
    exported.type = "content.exported"

    await running.submit(exported)
    await running.submit(customer_message())
    events = await settled(running, "thread-1", 2)

    assert [e.outcome for e in events] == ["ignored: event type 'content.exported' is not used by the bot", "answered"]
    assert len(ai.requests) == 1


@pytest.mark.parametrize(("recheck", "reads"), [(600.0, 1), (0.0, 3)])
async def test_a_thread_seen_in_a_bot_category_is_not_read_again_for_each_message(
    peers, settings_for, start_orchestrator, recheck, reads
):
    """In: BOT_CATEGORY_IDS set; three customer messages in one thread, then one in a thread Dimelo files in another
    category. Out: the first thread is read once (GetThread) and its three messages answered with one CreateReply
    each; the other thread is read and its message ignored. With BOT_CATEGORY_RECHECK_SECONDS=0 (the control), the
    first thread is read for every message."""
    _, dimelo, _ = peers
    running = await start_orchestrator(settings_for(bot_category_ids=["bot-cat"], bot_category_recheck_seconds=recheck))
    for count, body in enumerate(("first", "second", "third"), start=1):
        await running.submit(customer_message(body=body))
        await settled(running, "thread-1", count)
    assert [r.thread_id for r in dimelo.calls["GetThread"]] == ["thread-1"] * reads
    assert len(dimelo.calls["CreateReply"]) == 3

    dimelo.thread_category_ids = ["other-cat"]
    await running.submit(customer_message(thread_id="thread-elsewhere"))
    [event] = await settled(running, "thread-elsewhere", 1)
    assert event.outcome == "ignored: thread is not in a bot category"
    assert len(dimelo.calls["CreateReply"]) == 3


async def test_while_deliveries_come_unevenly_late_the_window_grows_and_an_earlier_message_still_goes_first(
    peers, settings_for, start_orchestrator
):
    """In: a 0.1 s window (5 s at most); deliveries in two other threads, one 1 s after it was issued and one at once
    (a backlog: lateness spread 1 s); then in thread-1 a message, and 0.5 s later (past the base window) one issued
    1 s before it. Out: thread-1's earlier message is answered first: the window grew to about 2 s."""
    ai, _, _ = peers
    running = await start_orchestrator(settings_for(ordering_window_seconds=0.1, ordering_window_max_seconds=5.0))
    backlogged = customer_message(thread_id="thread-2", first_in_thread=True)
    backlogged.issued_at.FromNanoseconds(backlogged.issued_at.ToNanoseconds() - 1_000_000_000)
    await running.submit(backlogged, customer_message(thread_id="thread-3", first_in_thread=True))
    earlier, later = customer_message(body="earlier"), customer_message(body="later")
    earlier.issued_at.FromNanoseconds(later.issued_at.ToNanoseconds() - 1_000_000_000)

    await running.submit(later)
    await asyncio.sleep(0.5)
    await running.submit(earlier)
    await settled(running, "thread-1", 2)

    asked = [r.conversation.message.body for r in ai.requests if r.conversation.thread_id == "thread-1"]
    assert asked == ["earlier", "later"]


async def test_an_ignored_event_issued_long_ago_does_not_grow_the_window(peers, settings_for, start_orchestrator):
    """In: a 0.1 s window (5 s at most); an agent's message issued a day ago (ignored by the bot: a replay, or a
    synthetic load), then in thread-1 a message with no evidence of its predecessors. Out: that message is answered
    within 2 s: only events taken in for processing count towards the lateness (else it would wait 5 s)."""
    ai, _, _ = peers
    running = await start_orchestrator(settings_for(ordering_window_seconds=0.1, ordering_window_max_seconds=5.0))
    ancient = customer_message(thread_id="thread-2", creator_id="agent-1")
    ancient.issued_at.FromSeconds(ancient.issued_at.seconds - 86_400)
    await running.submit(ancient)
    await running.submit(customer_message(body="no evidence"))

    await settled(running, "thread-1", 1, timeout=2.0)
    assert [r.conversation.message.body for r in ai.requests] == ["no evidence"]
