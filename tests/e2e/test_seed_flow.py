"""The seed's flow end to end: Dimelo sandbox → gateway → orchestrator → AI service → adapter → sandbox."""

import json
from pathlib import Path

import httpx

from orchestrator.intake_filter import WEBHOOK_EVENTS
from tests.e2e.conftest import bot_contents, has_bot_reply, outcome_of

# Tests here change the agents' statuses and expect the next handover to see them: no reuse of /1.0/status.
STACK_ENV = {"DIMELO_AGENT_STATUS_SECONDS": "0"}

SEED_DELIVERY = Path(__file__).resolve().parents[1] / "gateway" / "seed_delivery.json"


def settled(sandbox, thread_id: str, condition) -> dict:
    return sandbox.wait_for(thread_id, condition, timeout=20)


def test_seed_sample_payload_gets_exactly_one_plain_text_reply_to_that_content(stack, sandbox):
    """The seed's sample delivery, with its ids pointed at a real sandbox conversation, posted by hand as Dimelo
    would; the sandbox also delivers its own event for the same content: still exactly one reply."""
    message = sandbox.customer_writes("How can I return an item?")
    content = message["content"]
    delivery = json.loads(SEED_DELIVERY.read_text())
    metadata = delivery["events"][0]["resource"]["metadata"]
    metadata.update(
        body=content["body"],
        thread_id=message["thread_id"],
        source_id=content["source_id"],
        author_id=content["author_id"],
        status="new",
        intervention_id=None,
        in_reply_to_id=None,
    )
    delivery["events"][0]["resource"]["id"] = content["id"]
    metadata["id"] = content["id"]

    answer = httpx.post(stack.webhook_url, json=delivery, headers={"X-Dimelo-Secret": stack.webhook_secret}, timeout=10)

    assert answer.status_code == 200, answer.text
    transcript = settled(sandbox, message["thread_id"], has_bot_reply)
    [reply] = bot_contents(settled(sandbox, message["thread_id"], has_bot_reply))
    assert reply["in_reply_to_id"] == content["id"]
    assert "**" not in reply["body"] and "<" not in reply["body"], reply["body"]
    assert reply["private"] == content.get("private", False) or reply["private"] is True
    assert len(bot_contents(sandbox.transcript(message["thread_id"]))) == 1, transcript


def test_handshake_answers_the_challenge_only_to_the_right_token_mode_and_secret(stack):
    good = {"hub.mode": "subscribe", "hub.challenge": "c-123", "hub.verify_token": stack.verify_token}
    secret = {"X-Dimelo-Secret": stack.webhook_secret}

    ok = httpx.get(stack.webhook_url, params=good, headers=secret)
    assert (ok.status_code, ok.text) == (200, "c-123")
    assert ok.headers["content-type"].startswith("text/html")

    refused = [
        httpx.get(stack.webhook_url, params={**good, "hub.verify_token": "wrong"}, headers=secret),
        httpx.get(stack.webhook_url, params={**good, "hub.mode": "unsubscribe"}, headers=secret),
        httpx.get(stack.webhook_url, params={k: v for k, v in good.items() if k != "hub.challenge"}, headers=secret),
        httpx.get(stack.webhook_url, params=good, headers={"X-Dimelo-Secret": "wrong"}),
        httpx.get(stack.webhook_url, params=good),
    ]
    assert [r.status_code for r in refused] == [403, 400, 400, 403, 403]
    assert all("c-123" not in r.text for r in refused)


def test_a_faq_question_is_answered_in_plain_text(sandbox):
    message = sandbox.customer_writes("What payment methods do you accept?")
    transcript = settled(sandbox, message["thread_id"], has_bot_reply)
    [reply] = bot_contents(transcript)
    assert reply["in_reply_to_id"] == message["content"]["id"]
    assert "**" not in reply["body"] and "<" not in reply["body"] and reply["body"].strip()


def test_handover_with_an_agent_available_recategorizes_and_the_bot_stays_silent_after(stack, sandbox):
    agent_categories = set(stack.world["agent_category_ids"])
    message = sandbox.customer_writes("I want to talk to a human")
    thread_id = message["thread_id"]
    transcript = settled(sandbox, thread_id, lambda t: agent_categories <= set(t["thread"]["thread_category_ids"]))
    bot_before = len(bot_contents(transcript))

    follow_up = sandbox.customer_writes("What are your opening hours?", thread_id=thread_id)
    outcome = outcome_of(stack, follow_up["content"])

    transcript = sandbox.transcript(thread_id)
    assert outcome.startswith("ignored: thread is with agents"), outcome
    assert follow_up["content"]["id"] in [c["id"] for c in transcript["contents"]]
    assert len(bot_contents(transcript)) == bot_before <= 1
    assert not set(stack.world["bot_category_ids"]) & set(transcript["thread"]["thread_category_ids"])


def test_welcome_message_page_post_and_agent_reply_get_no_bot_answer(stack, sandbox):
    welcome = sandbox.customer_writes("Welcome! How can we help?", kind="welcome")
    page_post = sandbox.customer_writes("Our summer sale starts today", kind="page_post")
    customer = sandbox.customer_writes("Do you ship abroad?")
    # A supervisor who sees the bot's threads steps in; then the customer writes again: the agent owns the thread.
    supervisor = sandbox.create_agent(
        "Sam Supervisor", category_ids=stack.world["bot_category_ids"] + stack.world["agent_category_ids"]
    )["id"]
    agent_reply = sandbox.agent_replies(supervisor, customer["content"]["id"], "Hi, Sam here.")
    again = sandbox.customer_writes("Thanks, and how long does it take?", thread_id=customer["thread_id"])

    assert outcome_of(stack, welcome["content"]).startswith("ignored: started by the account itself")
    assert outcome_of(stack, page_post["content"]).startswith("ignored: ")
    # The webhook registers content.replied, which announces the agent's reply as it is created (and hands the
    # thread over), and not content.exported, which would announce it again once exported.
    assert httpx.get(f"{stack.sandbox_url}/_sandbox/webhook").json()["events"] == sorted(WEBHOOK_EVENTS)
    replied = outcome_of(stack, agent_reply["content"], event_type="content.replied")
    assert replied == "thread left to agents: an agent replied"
    assert outcome_of(stack, again["content"]).startswith("ignored: thread is with agents")

    assert bot_contents(sandbox.transcript(welcome["thread_id"])) == []
    assert bot_contents(sandbox.transcript(page_post["thread_id"])) == []
    replies_to_again = [
        c
        for c in sandbox.transcript(customer["thread_id"])["contents"]
        if c["author_kind"] == "bot" and c["in_reply_to_id"] == again["content"]["id"]
    ]
    assert replies_to_again == []


def test_with_every_agent_away_or_full_the_customer_is_told_and_the_thread_queued_for_agents(stack, sandbox):
    agent_categories = set(stack.world["agent_category_ids"])
    sandbox.set_all_agents("away", "ok")
    try:
        message = sandbox.customer_writes("Can I speak to an agent?")
        transcript = settled(
            sandbox, message["thread_id"], lambda t: agent_categories <= set(t["thread"]["thread_category_ids"])
        )
    finally:
        sandbox.set_all_agents("available", "ok")
    [notice] = bot_contents(transcript)
    assert "busy" in notice["body"]
    assert outcome_of(stack, message["content"]).endswith("agents available: 0")


def test_full_agents_do_not_count_as_available(stack, sandbox):
    sandbox.set_all_agents("available", "full")
    try:
        message = sandbox.customer_writes("I need a human")
        outcome = outcome_of(stack, message["content"])
    finally:
        sandbox.set_all_agents("available", "ok")
    assert outcome.endswith("agents available: 0"), outcome
