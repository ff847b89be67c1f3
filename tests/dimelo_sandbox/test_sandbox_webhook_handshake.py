"""The webhook handshake: only a 200 whose body is exactly hub.challenge enables the endpoint; else it is disabled."""

from sandbox_testing import BOT


async def _configure(sandbox, receiver, **fields):
    answer = await sandbox.http.put("/_sandbox/webhook", json={"url": receiver.url, **fields})
    assert answer.status_code == 200
    return answer.json()


async def test_handshake_sends_the_hub_parameters_and_the_secret(sandbox, receiver):
    """GET with hub.mode=subscribe, hub.challenge, hub.verify_token and X-Dimelo-Secret -> enabled."""
    state = await _configure(sandbox, receiver, verify_token="vt-123", secret="s3cret")
    assert state["enabled"] is True and state["reason"] == "handshake succeeded"
    request = receiver.handshakes[-1]
    assert request.query_params["hub.mode"] == "subscribe"
    assert request.query_params["hub.verify_token"] == "vt-123"
    assert len(request.query_params["hub.challenge"]) >= 16
    assert request.headers["x-dimelo-secret"] == "s3cret"
    assert "s3cret" not in str(state) and "vt-123" not in str(state)


async def test_a_json_quoted_challenge_fails_and_disables(sandbox, receiver):
    """The challenge answered as a JSON string -> disabled, with a reason saying so."""
    receiver.handshake = "json"
    state = await _configure(sandbox, receiver)
    assert state["enabled"] is False
    assert "JSON-quoted" in state["reason"]


async def test_another_body_or_status_fails(sandbox, receiver):
    """A 200 with another body, or a 404 -> disabled."""
    receiver.handshake = "wrong"
    assert (await _configure(sandbox, receiver))["enabled"] is False
    receiver.handshake = "404"
    state = await _configure(sandbox, receiver)
    assert state["enabled"] is False and "HTTP 404" in state["reason"]


async def test_unreachable_endpoint_fails(sandbox):
    """Nothing listening -> disabled."""
    answer = await sandbox.http.put("/_sandbox/webhook", json={"url": "http://127.0.0.1:9/hook"})
    assert answer.json()["enabled"] is False and "cannot reach" in answer.json()["reason"]


async def test_a_disabled_endpoint_gets_no_events(sandbox, receiver):
    """Failed handshake, then a customer message -> nothing POSTed; the delivery log shows the events dropped."""
    receiver.handshake = "json"
    await _configure(sandbox, receiver)
    await sandbox.customer_says()
    assert receiver.requests.empty()
    log = (await sandbox.http.get("/_sandbox/deliveries")).json()["records"]
    assert {r["outcome"] for r in log} == {"dropped"}
    assert "content.imported" in log[-1]["event_types"]


async def test_handshake_at_start_up(start, receiver):
    """--webhook-url at start -> the handshake is done before the sandbox is ready."""
    sandbox = await start(webhook_url=receiver.url, webhook_secret="boot-secret")
    assert len(receiver.handshakes) == 1
    assert receiver.handshakes[0].headers["x-dimelo-secret"] == "boot-secret"
    assert (await sandbox.http.get("/_sandbox/webhook")).json()["enabled"] is True
    assert (await sandbox.http.get("/1.0/channels", headers=BOT)).status_code == 200


async def test_the_start_up_subscription_registers_the_events_named(start, receiver):
    """--webhook-events "content.replied, intervention.closed" at start -> the endpoint registers those two: of a
    customer's message and the bot's reply, only the reply (content.replied) is delivered."""
    sandbox = await start(webhook_url=receiver.url, webhook_events="content.replied, intervention.closed")
    state = (await sandbox.http.get("/_sandbox/webhook")).json()
    assert state["events"] == ["content.replied", "intervention.closed"]
    message = await sandbox.customer_says()
    await sandbox.reply(message["content"]["id"])
    (event,) = (await receiver.next_request())["body"]["events"]
    assert event["type"] == "content.replied"
