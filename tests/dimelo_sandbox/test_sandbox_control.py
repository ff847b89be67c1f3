"""The control API: the default world, shaping it, transcripts, logs, stats, reset."""

from sandbox_testing import BOT


async def test_default_world_needs_no_setup(sandbox):
    """No options -> one chat source on "Messaging", Bot and Agents categories, 3 available agents, the bot token."""
    world = await sandbox.world()
    assert world["bot_user"]["token"] == "sandbox-bot-token"
    (source,) = world["sources"]
    (channel,) = world["channels"]
    assert (source["name"], source["type"], source["channel_id"]) == ("Website chat", "engage_messaging", channel["id"])
    assert source["require_intervention_for_reply"] is False
    assert channel["name"] == "Messaging" and channel["source_ids"] == [source["id"]]
    assert {c["name"]: c["role"] for c in world["categories"]} == {"Bot": "bot", "Agents": "agent"}
    assert source["default_category_ids"] == world["bot_category_ids"]
    assert len(world["agents"]) == 3
    assert all(a["channels"][channel["id"]] == {"status": "available", "busyness": "ok"} for a in world["agents"])


async def test_new_thread_gets_the_bot_category(sandbox):
    """A customer's first message -> a new thread categorized Bot, with the welcome message first."""
    message = await sandbox.customer_says()
    transcript = (await sandbox.http.get(f"/_sandbox/threads/{message['thread_id']}")).json()
    assert transcript["thread"]["thread_category_ids"] == (await sandbox.world())["bot_category_ids"]
    assert [c["author_kind"] for c in transcript["contents"]] == ["company", "customer"]
    assert transcript["contents"][0]["auto_submitted"] is True


async def test_a_customer_message_in_an_existing_thread_keeps_its_customer(sandbox):
    """thread_id given -> same thread, same customer identity, no second welcome message."""
    first = await sandbox.customer_says("one")
    second = await sandbox.customer_says("two", thread_id=first["thread_id"])
    assert second["thread_id"] == first["thread_id"] and second["welcome"] is None
    assert second["content"]["author_id"] == first["content"]["author_id"]
    assert (await sandbox.http.get("/_sandbox/threads")).json() == {"thread_ids": [first["thread_id"]]}


async def test_transcript_tells_the_whole_story(sandbox):
    """Customer, bot (under an intervention), handover, agent -> every content with its author kind and state."""
    message = await sandbox.customer_says()
    content_id = message["content"]["id"]
    intervention = (await sandbox.http.post("/1.0/interventions", data={"content_id": content_id}, headers=BOT)).json()
    await sandbox.reply(content_id, "I am a bot")
    world = await sandbox.world()
    form = {"thread_category_ids[]": world["agent_category_ids"][0]}
    await sandbox.http.put(f"/1.0/content_threads/{message['thread_id']}/update_categories", data=form, headers=BOT)
    await sandbox.http.post(
        "/_sandbox/agent_replies",
        json={"agent_id": world["agents"][1]["id"], "in_reply_to_id": content_id, "body": "Bruno here"},
    )
    transcript = (await sandbox.http.get(f"/_sandbox/threads/{message['thread_id']}")).json()
    kinds = [(c["author_kind"], c["created_from"], c["creator_id"] is None) for c in transcript["contents"]]
    assert kinds == [
        ("company", "synchronizer", True),
        ("customer", "synchronizer", True),
        ("bot", "api", False),
        ("agent", "interface", False),
    ]
    assert transcript["contents"][2]["intervention_id"] == intervention["id"]
    assert transcript["interventions"][0]["user_replies_count"] == 2
    assert len(transcript["category_history"]) == 1


async def test_new_source_channel_category_agent_and_token(sandbox):
    """Created through the control API -> visible through the REST API."""
    category = (await sandbox.http.post("/_sandbox/categories", json={"name": "VIP", "role": "agent"})).json()
    channel = (await sandbox.http.post("/_sandbox/channels", json={"name": "Social"})).json()
    source = await sandbox.http.post(
        "/_sandbox/sources",
        json={
            "name": "Facebook page",
            "type": "facebook",
            "channel_id": channel["id"],
            "require_intervention_for_reply": True,
            "default_category_ids": [category["id"]],
            "welcome_message": None,
        },
    )
    assert source.status_code == 201 and source.json()["require_intervention_for_reply"] is True
    agent = (
        await sandbox.http.post("/_sandbox/agents", json={"name": "Eve", "token": "eve-token", "permissions": "read"})
    ).json()
    assert agent["token"] == "eve-token"
    assert (await sandbox.http.get("/1.0/channels", headers={"Authorization": "Bearer eve-token"})).status_code == 200
    token = (
        await sandbox.http.post("/_sandbox/tokens", json={"token": "t2", "permissions": ["read", "monitor"]})
    ).json()
    assert token["permissions"] == ["monitor", "read"]
    duplicate = await sandbox.http.post("/_sandbox/tokens", json={"token": "t2"})
    assert duplicate.status_code == 409
    channels = (await sandbox.http.get("/1.0/channels", headers=BOT)).json()["records"]
    assert next(c for c in channels if c["name"] == "Social")["source_ids"] == [source.json()["id"]]
    message = await sandbox.customer_says(source_id=source.json()["id"])
    assert message["welcome"] is None and message["content"]["category_ids"] == [category["id"]]


async def test_stats_and_delivery_settings(sandbox):
    """Counters by status; delivery settings read back; unknown settings -> 400."""
    await sandbox.http.get("/1.0/channels", headers=BOT)
    await sandbox.http.get("/1.0/channels")
    stats = (await sandbox.http.get("/_sandbox/stats")).json()
    assert stats["rest_by_status"] == {"200": 1, "403": 1}
    settings = (await sandbox.http.put("/_sandbox/delivery", json={"duplicate_rate": 0.5, "reorder": True})).json()
    assert settings["duplicate_rate"] == 0.5 and settings["reorder"] is True
    assert (await sandbox.http.put("/_sandbox/delivery", json={"rate_limit": 3})).status_code == 400
    assert (await sandbox.http.put("/_sandbox/settings", json={"rate_limit": 3})).json()["rate_limit"] == 3


async def test_reset_goes_back_to_the_default_world(sandbox, receiver):
    """Threads, faults, settings and logs go; the domain id and the webhook endpoint stay."""
    await sandbox.http.put("/_sandbox/webhook", json={"url": receiver.url})
    before = await sandbox.world()
    await sandbox.customer_says()
    await sandbox.http.put("/_sandbox/faults", json={"*": {"latency_ms": 1}})
    await sandbox.http.put("/_sandbox/settings", json={"rate_limit": 7})
    answer = await sandbox.http.post("/_sandbox/reset")
    assert answer.status_code == 200 and answer.json()["webhook"]["enabled"] is True
    after = await sandbox.world()
    assert after["domain_id"] == before["domain_id"] and after["sources"][0]["id"] != before["sources"][0]["id"]
    assert (await sandbox.http.get("/_sandbox/threads")).json() == {"thread_ids": []}
    assert (await sandbox.http.get("/_sandbox/faults")).json() == {}
    assert (await sandbox.http.get("/_sandbox/settings")).json()["rate_limit"] == 500
    dropped = await sandbox.http.post("/_sandbox/reset", json={"keep_webhook": False})
    assert dropped.json()["webhook"]["enabled"] is False


async def test_wait_endpoints(sandbox):
    """POST /_sandbox/jobs/wait and /_sandbox/deliveries/wait return {"idle": true} once nothing is pending."""
    message = await sandbox.customer_says()
    await sandbox.http.put(f"/1.0/content_threads/{message['thread_id']}/close", headers=BOT)
    assert (await sandbox.http.post("/_sandbox/jobs/wait", json={"timeout": 5})).json() == {"idle": True}
    assert (await sandbox.http.get(f"/1.0/content_threads/{message['thread_id']}", headers=BOT)).json()[
        "closed"
    ] is True
    assert (await sandbox.http.post("/_sandbox/deliveries/wait")).json() == {"idle": True}
