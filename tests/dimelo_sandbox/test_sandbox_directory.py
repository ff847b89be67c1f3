"""What a proxy reads besides contents: sources, channels with source_ids, categories, and GET /1.0/status."""

from sandbox_testing import BOT


async def test_source_channel_and_categories_of_the_default_world(sandbox):
    """The chat source is at /1.0/content_sources/:id with its channel_id, the channel whose source_ids hold it."""
    world = await sandbox.world()
    source_id = world["sources"][0]["id"]
    source = (await sandbox.http.get(f"/1.0/content_sources/{source_id}", headers=BOT)).json()
    assert (source["name"], source["type"]) == ("Website chat", "engage_messaging")
    channels = (await sandbox.http.get("/1.0/channels", headers=BOT)).json()
    assert channels["count"] == 1
    assert channels["records"][0]["name"] == "Messaging" and channels["records"][0]["source_ids"] == [source_id]
    assert source["channel_id"] == channels["records"][0]["id"]
    categories = (await sandbox.http.get("/1.0/categories", headers=BOT)).json()
    assert sorted(c["name"] for c in categories["records"]) == ["Agents", "Bot"]
    sources = (await sandbox.http.get("/1.0/content_sources", headers=BOT)).json()
    assert [s["id"] for s in sources["records"]] == [source_id]


async def test_sources_path_of_the_issue_does_not_exist(sandbox):
    """/1.0/sources/:id is not a Dimelo path -> 404 with a JSON body."""
    answer = await sandbox.http.get("/1.0/sources/x", headers=BOT)
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"


async def test_status_lists_connected_agents_in_the_seed_shape(sandbox):
    """Default world: 3 agents, each {agent_id, channels: [{id, name, status, busyness}], custom_status}."""
    answer = await sandbox.http.get("/1.0/status", headers=BOT)
    assert answer.status_code == 200
    agents = answer.json()
    assert len(agents) == 3
    messaging = (await sandbox.world())["channels"][0]
    for agent in agents:
        assert set(agent) == {"agent_id", "channels", "custom_status"}
        assert agent["channels"] == [
            {"id": messaging["id"], "name": "Messaging", "status": "available", "busyness": "ok"}
        ]
        assert agent["custom_status"] is None


async def test_status_follows_agents_presence(sandbox):
    """All away -> every agent "away"; one full -> "full"; disconnected (null) -> not listed."""
    world = await sandbox.world()
    alice, bruno, chloe = (a["id"] for a in world["agents"])
    await sandbox.http.put("/_sandbox/agents/status", json={"status": "away", "busyness": "unoccupied"})
    agents = (await sandbox.http.get("/1.0/status", headers=BOT)).json()
    assert {a["channels"][0]["status"] for a in agents} == {"away"}
    await sandbox.http.put(f"/_sandbox/agents/{alice}/status", json={"status": "available", "busyness": "full"})
    await sandbox.http.put(f"/_sandbox/agents/{bruno}/status", json={"status": None})
    agents = {a["agent_id"]: a for a in (await sandbox.http.get("/1.0/status", headers=BOT)).json()}
    assert agents[alice]["channels"][0]["busyness"] == "full"
    assert bruno not in agents and chloe in agents


async def test_users_me_is_the_tokens_user(sandbox):
    """GET /1.0/users/me with the bot's token -> the bot user (its id as in the world); /1.0/users/<id> too."""
    bot = (await sandbox.world())["bot_user"]["id"]
    me = await sandbox.http.get("/1.0/users/me", headers=BOT)
    assert me.status_code == 200 and me.json()["id"] == bot
    assert (await sandbox.http.get(f"/1.0/users/{bot}", headers=BOT)).json()["id"] == bot
    assert (await sandbox.http.get("/1.0/users/nobody", headers=BOT)).status_code == 404


async def test_status_filters_of_the_spec(sandbox):
    """category_ids[] of the agents' category -> all 3; team_ids[] or spoken_languages[] -> none (sandbox agents
    have neither)."""
    agents_category = (await sandbox.world())["agent_category_ids"][0]
    by_category = await sandbox.http.get("/1.0/status", params={"category_ids[]": agents_category}, headers=BOT)
    assert len(by_category.json()) == 3
    for name in ("team_ids[]", "spoken_languages[]"):
        assert (await sandbox.http.get("/1.0/status", params={name: "x"}, headers=BOT)).json() == []


async def test_status_filtered_by_source(sandbox):
    """source_ids[] of a source on another channel -> only the agents who may reply on it (on that channel)."""
    channel = (await sandbox.http.post("/_sandbox/channels", json={"name": "Email"})).json()
    source = (
        await sandbox.http.post(
            "/_sandbox/sources", json={"name": "Mailbox", "type": "email", "channel_id": channel["id"]}
        )
    ).json()
    await sandbox.http.post(
        "/_sandbox/agents", json={"name": "Dana", "status": "available", "channel_ids": [channel["id"]]}
    )
    agents = (await sandbox.http.get("/1.0/status", params={"source_ids[]": source["id"]}, headers=BOT)).json()
    assert len(agents) == 1 and [c["name"] for c in agents[0]["channels"]] == ["Email"]
