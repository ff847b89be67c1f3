"""Webhook deliveries: payload shape, which events, retries with growing waits, disabling, duplicates, reordering."""

import re

from sandbox_testing import BOT

from tests.spec.spec_check import CONTENT_METADATA

ISSUED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


async def _enable(sandbox, receiver, **delivery):
    state = (await sandbox.http.put("/_sandbox/webhook", json={"url": receiver.url, "secret": "s3cret"})).json()
    assert state["enabled"] is True
    if delivery:
        assert (await sandbox.http.put("/_sandbox/delivery", json=delivery)).status_code == 200


async def test_customer_message_arrives_as_content_imported(sandbox, receiver):
    """A customer's first message -> one POST {id, domain_id, events} with the welcome message then the customer's."""
    await _enable(sandbox, receiver)
    message = await sandbox.customer_says("Bonjour", language="fr")
    request = await receiver.next_request()
    assert request["headers"]["x-dimelo-secret"] == "s3cret"
    body = request["body"]
    assert set(body) == {"id", "domain_id", "events"} and UUID.match(body["id"])
    assert body["domain_id"] == (await sandbox.world())["domain_id"]
    welcome, customer = body["events"]
    for event in (welcome, customer):
        assert event["type"] == "content.imported"
        assert UUID.match(event["id"]) and ISSUED_AT.match(event["issued_at"])
        assert "user_id" not in event
        assert event["resource"]["type"] == "engage_messaging/message"
    assert customer["id"] == message["event_id"]
    metadata = customer["resource"]["metadata"]
    assert customer["resource"]["id"] == message["content"]["id"]
    assert (metadata["status"], metadata["creator_id"], metadata["created_from"]) == ("new", None, "synchronizer")
    assert metadata["body"] == "Bonjour" and metadata["language"] == "fr"
    assert set(metadata) == CONTENT_METADATA  # exactly events.md's list: no auto_submitted, no category_ids
    assert metadata["author_id"] == message["content"]["author_id"]
    assert metadata["thread_id"] == message["thread_id"]


async def test_welcome_message_differs_from_a_customer_message(sandbox, receiver):
    """The chat's welcome: author = the source's company identity, status user_initiated, first in thread; only the
    REST object says auto_submitted true."""
    await _enable(sandbox, receiver)
    await sandbox.customer_says()
    welcome = (await receiver.events(2))[0]["resource"]["metadata"]
    company = (await sandbox.world())["sources"][0]["company_identity_id"]
    assert welcome["author_id"] == company
    assert (welcome["status"], welcome["first_in_thread"]) == ("user_initiated", True)
    assert (welcome["creator_id"], welcome["created_from"]) == (None, "synchronizer")
    assert "auto_submitted" not in welcome
    content = (await sandbox.http.get(f"/1.0/contents/{welcome['id']}", headers=BOT)).json()
    assert content["auto_submitted"] is True


async def test_page_post_is_imported_as_ignored_company_content(sandbox, receiver):
    """kind page_post -> content.imported, resource type .../status, author = company identity, status ignored."""
    await _enable(sandbox, receiver)
    await sandbox.customer_says("Our shop opens at 9 tomorrow", kind="page_post")
    (event,) = await receiver.events(1)
    metadata = event["resource"]["metadata"]
    assert event["type"] == "content.imported" and event["resource"]["type"] == "engage_messaging/status"
    assert (
        metadata["status"] == "ignored"
        and metadata["author_id"] == (await sandbox.world())["sources"][0]["company_identity_id"]
    )


async def test_api_reply_is_content_replied_never_imported(sandbox, receiver):
    """A bot reply via REST -> content.replied with user_id = the bot, then content.exported; no content.imported."""
    await _enable(sandbox, receiver)
    message = await sandbox.customer_says()
    await receiver.events(2)
    reply = (await sandbox.reply(message["content"]["id"])).json()
    replied, exported = await receiver.events(2)
    bot = (await sandbox.world())["bot_user"]["id"]
    assert (replied["type"], replied["user_id"], replied["resource"]["id"]) == ("content.replied", bot, reply["id"])
    assert replied["resource"]["metadata"]["created_from"] == "api"
    assert exported["type"] == "content.exported"
    assert exported["resource"]["metadata"]["synchronization_status"] == "success"


async def test_agent_reply_after_handover(sandbox, receiver):
    """An agent cannot answer in a Bot thread (403); once recategorized to Agents -> content.replied by the agent."""
    await _enable(sandbox, receiver)
    message = await sandbox.customer_says()
    world = await sandbox.world()
    agent = world["agents"][0]["id"]
    reply = {"agent_id": agent, "in_reply_to_id": message["content"]["id"], "body": "Hi, Alice here"}
    assert (await sandbox.http.post("/_sandbox/agent_replies", json=reply)).status_code == 403
    form = {"thread_category_ids[]": world["agent_category_ids"][0]}
    await sandbox.http.put(f"/1.0/content_threads/{message['thread_id']}/update_categories", data=form, headers=BOT)
    answer = await sandbox.http.post("/_sandbox/agent_replies", json=reply)
    assert answer.status_code == 201
    events = await receiver.events(4)
    replied = next(e for e in events if e["type"] == "content.replied")
    assert replied["user_id"] == agent and replied["resource"]["metadata"]["created_from"] == "interface"
    assert any(e["type"] == "intervention.opened" and e["user_id"] == agent for e in events)


async def test_failed_deliveries_are_retried_with_growing_waits(sandbox, receiver):
    """Answers 500, 503, then 200 -> three requests with the same event, new request ids, the 2nd wait longer."""
    # Waits of 32 ms, then 240 ms: apart by more than a busy machine (parallel test workers) delays either.
    await _enable(sandbox, receiver, time_scale=0.001)
    receiver.answers = [500, 503]
    await sandbox.customer_says(kind="page_post")
    first, second, third = [await receiver.next_request() for _ in range(3)]
    assert first["body"]["events"] == second["body"]["events"] == third["body"]["events"]
    assert len({first["body"]["id"], second["body"]["id"], third["body"]["id"]}) == 3
    assert third["at"] - second["at"] > second["at"] - first["at"]
    log = (await sandbox.http.get("/_sandbox/deliveries")).json()["records"]
    assert [(r["attempt"], r["status"], r["outcome"]) for r in log] == [
        (1, 500, "failed"),
        (2, 503, "failed"),
        (3, 200, "delivered"),
    ]


async def test_an_event_is_dropped_after_five_retries(sandbox, receiver):
    """Always 500, disabling off -> 6 requests for the event (the first and 5 retries, as receive.md says), then it
    is dropped."""
    await _enable(sandbox, receiver, time_scale=0.00001, disable_after_failures=0)
    receiver.answers = [500] * 6
    await sandbox.customer_says(kind="page_post")
    for _ in range(6):
        await receiver.next_request()
    await sandbox.state.webhook.idle()
    log = (await sandbox.http.get("/_sandbox/deliveries")).json()["records"]
    assert [r["attempt"] for r in log if r["outcome"] == "failed"] == list(range(1, 7))
    assert log[-1]["outcome"] == "dropped" and "6 tries" in log[-1]["error"]


async def test_too_many_failures_disable_the_endpoint(sandbox, receiver):
    """disable_after_failures 3, always 500 -> disabled after the 3rd failed request; later events are not sent."""
    await _enable(sandbox, receiver, time_scale=0.0001, disable_after_failures=3)
    receiver.answers = [500] * 20
    await sandbox.customer_says(kind="page_post")
    for _ in range(3):
        await receiver.next_request()
    await sandbox.state.webhook.idle()
    state = (await sandbox.http.get("/_sandbox/webhook")).json()
    assert state["enabled"] is False and state["reason"] == "disabled after 3 failed requests"
    await sandbox.customer_says(kind="page_post")
    assert receiver.requests.empty()


async def test_duplicates_resend_the_same_event_ids(sandbox, receiver):
    """duplicate_rate 1 -> each request is sent again later: same events, a new request id."""
    await _enable(sandbox, receiver, duplicate_rate=1)
    await sandbox.customer_says(kind="page_post")
    original, duplicate = await receiver.next_request(), await receiver.next_request()
    assert original["body"]["events"] == duplicate["body"]["events"]
    assert original["body"]["id"] != duplicate["body"]["id"]
    await sandbox.state.webhook.idle()
    log = (await sandbox.http.get("/_sandbox/deliveries")).json()["records"]
    assert [r["duplicate"] for r in log] == [False, True]


async def test_several_duplicate_copies(sandbox, receiver):
    """duplicate_rate 1 and duplicate_copies 2 -> the event arrives three times, each with a new request id."""
    await _enable(sandbox, receiver, duplicate_rate=1, duplicate_copies=2)
    await sandbox.customer_says(kind="page_post")
    requests = [await receiver.next_request() for _ in range(3)]
    assert len({r["body"]["events"][0]["id"] for r in requests}) == 1
    assert len({r["body"]["id"] for r in requests}) == 3


async def test_batching_and_reordering(sandbox, receiver):
    """A 300 ms window, batches of 3, reorder on, 8 page posts at once -> requests of up to 3 events, not in order."""
    await _enable(sandbox, receiver, batch_window_ms=300, batch_max=3, reorder=True)
    sent = [(await sandbox.customer_says(f"post {n}", kind="page_post"))["event_id"] for n in range(8)]
    received, sizes = [], []
    while len(received) < len(sent):
        events = (await receiver.next_request())["body"]["events"]
        sizes.append(len(events))
        received.extend(e["id"] for e in events)
    assert max(sizes) == 3 and sorted(received) == sorted(sent)
    assert received != sent


async def test_subscription_filters_event_types(sandbox, receiver):
    """events ["content.replied"] -> imports are not sent, the bot's reply is."""
    await sandbox.http.put("/_sandbox/webhook", json={"url": receiver.url, "events": ["content.replied"]})
    message = await sandbox.customer_says()
    await sandbox.reply(message["content"]["id"])
    (event,) = (await receiver.next_request())["body"]["events"]
    assert event["type"] == "content.replied"
