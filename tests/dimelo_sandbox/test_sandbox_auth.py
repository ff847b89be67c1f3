"""Access tokens: where they are read from, the 403 bodies, per-token permissions, and that they are never logged."""

from sandbox_testing import BOT, BOT_TOKEN


async def test_missing_token_is_refused_with_the_documented_error_body(sandbox):
    """No token at all -> 403 and {"error", "message", "status"}."""
    answer = await sandbox.http.get("/1.0/content_sources")
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error", "message", "status"}
    assert body["error"] == "missing_access_token" and body["status"] == 403


async def test_unknown_token_is_refused_without_repeating_it(sandbox):
    """A token the sandbox does not know -> 403 invalid_access_token; the message does not echo the token."""
    answer = await sandbox.http.get("/1.0/content_sources", headers={"Authorization": "Bearer not-a-real-token"})
    assert answer.status_code == 403
    assert answer.json()["error"] == "invalid_access_token"
    assert "not-a-real-token" not in answer.text


async def test_token_accepted_from_bearer_header_query_and_form(sandbox):
    """Authorization: Bearer, ?access_token= and a form access_token all authenticate."""
    assert (await sandbox.http.get("/1.0/channels", headers=BOT)).status_code == 200
    assert (await sandbox.http.get("/1.0/channels", params={"access_token": BOT_TOKEN})).status_code == 200
    message = await sandbox.customer_says()
    form = {"access_token": BOT_TOKEN, "in_reply_to_id": message["content"]["id"], "body": "Hi"}
    assert (await sandbox.http.post("/1.0/contents", data=form)).status_code == 200


async def test_a_non_bearer_authorization_header_is_no_token(sandbox):
    """`Authorization: Basic ...` carries no access token -> 403 missing_access_token."""
    answer = await sandbox.http.get("/1.0/channels", headers={"Authorization": f"Basic {BOT_TOKEN}"})
    assert answer.status_code == 403 and answer.json()["error"] == "missing_access_token"


async def test_token_without_monitor_right_gets_403_on_status(start):
    """A token with read+reply only -> 403 forbidden on /1.0/status, while the full token reads it."""
    sandbox = await start(tokens=f"{BOT_TOKEN},limited:read+reply")
    answer = await sandbox.http.get("/1.0/status", headers={"Authorization": "Bearer limited"})
    assert answer.status_code == 403
    assert answer.json() == {
        "error": "forbidden",
        "message": "the token's user is not allowed to monitor the task view (needs permission 'monitor')",
        "status": 403,
    }
    assert (await sandbox.http.get("/1.0/status", headers=BOT)).status_code == 200


async def test_token_without_read_sees_nothing(start):
    """Without "read": a content is 404 (as if it did not exist), a list is 403."""
    sandbox = await start(tokens=f"{BOT_TOKEN},blind:reply")
    message = await sandbox.customer_says()
    blind = {"Authorization": "Bearer blind"}
    answer = await sandbox.http.get(f"/1.0/contents/{message['content']['id']}", headers=blind)
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert (await sandbox.http.get("/1.0/contents", headers=blind)).status_code == 403


async def test_request_log_names_the_user_never_the_token(sandbox):
    """GET /_sandbox/requests shows method, path without query, user id and status; the token appears nowhere."""
    await sandbox.http.get("/1.0/channels", params={"access_token": BOT_TOKEN})
    log = (await sandbox.http.get("/_sandbox/requests")).json()
    world = await sandbox.world()
    assert log["records"][-1]["path"] == "/1.0/channels"
    assert log["records"][-1]["user_id"] == world["bot_user"]["id"]
    assert log["records"][-1]["status"] == 200
    assert BOT_TOKEN not in str(log)
