"""/1.0/intervention_comments per the reference: body, intervention_id, user_id mandatory; newest first; filters."""

from sandbox_testing import BOT


async def _intervention(sandbox) -> dict:
    message = await sandbox.customer_says()
    return (
        await sandbox.http.post("/1.0/interventions", data={"content_id": message["content"]["id"]}, headers=BOT)
    ).json()


async def test_a_comment_is_created_listed_by_thread_read_and_deleted(sandbox):
    # In: two comments on the bot's intervention. Out: each in the reference's shape, listed newest first under the
    # thread, readable by id; deleted, it is gone (404). No content is created: the customer never sees them.
    intervention = await _intervention(sandbox)
    bot_id = (await sandbox.world())["bot_user"]["id"]
    form = {"intervention_id": intervention["id"], "user_id": bot_id}
    first = (await sandbox.http.post("/1.0/intervention_comments", data={**form, "body": "first"}, headers=BOT)).json()
    second = await sandbox.http.post("/1.0/intervention_comments", data={**form, "body": "second"}, headers=BOT)

    listed = (
        await sandbox.http.get(
            "/1.0/intervention_comments", params={"thread_id": intervention["thread_id"]}, headers=BOT
        )
    ).json()
    assert second.status_code == 200
    assert first["thread_id"] == intervention["thread_id"] and first["user_id"] == bot_id
    assert set(first) >= {"id", "body", "intervention_id", "thread_id", "user_id", "created_at", "updated_at"}
    assert listed["count"] == 2 and {r["body"] for r in listed["records"]} == {"first", "second"}
    assert (await sandbox.http.get(f"/1.0/intervention_comments/{first['id']}", headers=BOT)).json()["body"] == "first"
    contents = (
        await sandbox.http.get("/1.0/contents", params={"q": f'thread:"{intervention["thread_id"]}"'}, headers=BOT)
    ).json()
    assert all(c["body"] not in ("first", "second") for c in contents["records"])
    assert (await sandbox.http.delete(f"/1.0/intervention_comments/{first['id']}", headers=BOT)).status_code == 200
    assert (await sandbox.http.get(f"/1.0/intervention_comments/{first['id']}", headers=BOT)).status_code == 404


async def test_missing_or_wrong_parameters_are_refused(sandbox):
    # In: no body; an unknown intervention; an unknown user. Out: 400 missing_parameter, 404, 422.
    intervention = await _intervention(sandbox)
    bot_id = (await sandbox.world())["bot_user"]["id"]
    post = sandbox.http.post
    missing = await post(
        "/1.0/intervention_comments", data={"intervention_id": intervention["id"], "user_id": bot_id}, headers=BOT
    )
    unknown = await post(
        "/1.0/intervention_comments", data={"intervention_id": "nope", "user_id": bot_id, "body": "x"}, headers=BOT
    )
    no_user = await post(
        "/1.0/intervention_comments",
        data={"intervention_id": intervention["id"], "user_id": "nobody", "body": "x"},
        headers=BOT,
    )
    assert (missing.status_code, missing.json()["error"]) == (400, "missing_parameter")
    assert unknown.status_code == 404
    assert no_user.status_code == 422
