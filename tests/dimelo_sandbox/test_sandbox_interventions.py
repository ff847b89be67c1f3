"""POST /1.0/interventions (422 when it cannot be opened), PUT /1.0/interventions/:id/close (409, the 403 caveats)."""

from sandbox_testing import BOT


async def _open(sandbox, content_id: str, headers=BOT):
    return await sandbox.http.post("/1.0/interventions", data={"content_id": content_id}, headers=headers)


async def _close(sandbox, intervention_id: str, headers=BOT):
    return await sandbox.http.put(f"/1.0/interventions/{intervention_id}/close", headers=headers)


async def test_open_renders_the_intervention_owned_by_the_token_user(sandbox):
    """Open on a customer content -> 200 in the seed's shape, user_id = bot, closed false; the content is assigned."""
    message = await sandbox.customer_says()
    answer = await _open(sandbox, message["content"]["id"])
    assert answer.status_code == 200
    intervention = answer.json()
    world = await sandbox.world()
    assert intervention["user_id"] == world["bot_user"]["id"]
    assert intervention["content_id"] == message["content"]["id"]
    assert intervention["thread_id"] == message["thread_id"]
    assert intervention["closed"] is False and intervention["user_replies_count"] == 0
    content = (await sandbox.http.get(f"/1.0/contents/{message['content']['id']}", headers=BOT)).json()
    assert content["intervention_id"] == intervention["id"] and content["status"] == "assigned"


async def test_open_twice_is_422(sandbox):
    """A second open while one is open on the thread -> 422 intervention_cannot_be_opened."""
    message = await sandbox.customer_says()
    assert (await _open(sandbox, message["content"]["id"])).status_code == 200
    again = await _open(sandbox, message["content"]["id"])
    assert again.status_code == 422
    assert again.json()["error"] == "intervention_cannot_be_opened" and again.json()["status"] == 422


async def test_open_on_a_welcome_message_is_422(sandbox):
    """The chat's welcome message is not a customer's: -> 422."""
    message = await sandbox.customer_says()
    answer = await _open(sandbox, message["welcome"]["id"])
    assert answer.status_code == 422


async def test_open_needs_an_existing_content(sandbox):
    """No content_id -> 400 missing_parameter; an unknown one -> 404."""
    missing = await sandbox.http.post("/1.0/interventions", headers=BOT)
    assert missing.status_code == 400 and missing.json()["error"] == "missing_parameter"
    assert (await _open(sandbox, "nope")).status_code == 404


async def test_close_without_agent_replies_is_403(sandbox):
    """No reply under the intervention yet -> 403 intervention_without_replies."""
    message = await sandbox.customer_says()
    intervention = (await _open(sandbox, message["content"]["id"])).json()
    answer = await _close(sandbox, intervention["id"])
    assert answer.status_code == 403 and answer.json()["error"] == "intervention_without_replies"


async def test_close_runs_as_a_job_and_a_second_close_meanwhile_is_409(start):
    """Close -> 200 with closed still false; again while the close job runs -> 409 intervention_being_closed."""
    sandbox = await start(job_seconds=5)
    message = await sandbox.customer_says()
    intervention = (await _open(sandbox, message["content"]["id"])).json()
    assert (await sandbox.reply(message["content"]["id"])).status_code == 200
    first = await _close(sandbox, intervention["id"])
    assert first.status_code == 200 and first.json()["closed"] is False
    second = await _close(sandbox, intervention["id"])
    assert second.status_code == 409
    assert second.json() == {
        "error": "intervention_being_closed",
        "message": f"intervention {intervention['id']!r} is already being closed",
        "status": 409,
    }


async def test_closing_a_closed_intervention_is_403(sandbox):
    """Once the close job is done, another close -> 403 intervention_already_closed."""
    message = await sandbox.customer_says()
    intervention = (await _open(sandbox, message["content"]["id"])).json()
    await sandbox.reply(message["content"]["id"])
    await _close(sandbox, intervention["id"])
    await sandbox.settle()
    again = await _close(sandbox, intervention["id"])
    assert again.status_code == 403 and again.json()["error"] == "intervention_already_closed"


async def test_close_completes_and_reopen_gives_the_same_intervention(sandbox):
    """After the close job: closed true with closed_at; opening again on the content reopens the same intervention."""
    message = await sandbox.customer_says()
    intervention = (await _open(sandbox, message["content"]["id"])).json()
    await sandbox.reply(message["content"]["id"])
    await _close(sandbox, intervention["id"])
    await sandbox.settle()
    closed = (await sandbox.http.get(f"/1.0/interventions/{intervention['id']}", headers=BOT)).json()
    assert closed["closed"] is True and closed["closed_at"] is not None
    reopened = await _open(sandbox, message["content"]["id"])
    assert reopened.status_code == 200
    assert reopened.json()["id"] == intervention["id"] and reopened.json()["closed"] is False


async def test_only_the_owner_may_close(start):
    """Another token's user -> 403 not_intervention_owner; with manage_interventions it may."""
    sandbox = await start(tokens="sandbox-bot-token,other:read+reply,boss:read+manage_interventions")
    message = await sandbox.customer_says()
    intervention = (await _open(sandbox, message["content"]["id"])).json()
    await sandbox.reply(message["content"]["id"])
    refused = await _close(sandbox, intervention["id"], {"Authorization": "Bearer other"})
    assert refused.status_code == 403 and refused.json()["error"] == "not_intervention_owner"
    assert (await _close(sandbox, intervention["id"], {"Authorization": "Bearer boss"})).status_code == 200


async def test_close_without_read_access_is_403(start):
    """A token without read on the source -> 403 forbidden; an unknown intervention -> 404."""
    sandbox = await start(tokens="sandbox-bot-token,blind:reply")
    message = await sandbox.customer_says()
    intervention = (await _open(sandbox, message["content"]["id"])).json()
    refused = await _close(sandbox, intervention["id"], {"Authorization": "Bearer blind"})
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert (await _close(sandbox, "unknown")).status_code == 404


async def test_list_is_newest_first_with_the_documented_filters(sandbox):
    """Two interventions on two threads -> newest first; thread_id keeps one; status=closed none, opened both;
    an unknown status -> 400."""
    first, second = await sandbox.customer_says("one"), await sandbox.customer_says("two")
    opened = [(await _open(sandbox, m["content"]["id"])).json()["id"] for m in (first, second)]

    async def listed(**params) -> list[str]:
        answer = await sandbox.http.get("/1.0/interventions", params=params, headers=BOT)
        return [i["id"] for i in answer.json()["records"]]

    assert await listed() == opened[::-1]
    assert await listed(thread_id=first["thread_id"]) == opened[:1]
    assert await listed(status="closed") == [] and await listed(status="opened") == opened[::-1]
    bad = await sandbox.http.get("/1.0/interventions", params={"status": "lost"}, headers=BOT)
    assert bad.status_code == 400
