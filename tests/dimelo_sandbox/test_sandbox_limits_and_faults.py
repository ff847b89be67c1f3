"""The per-minute rate limit with its documented 429 body, injected faults, and bad input never answering 500."""

from sandbox_testing import BOT


async def test_past_the_limit_the_documented_429(start):
    """rate_limit 3 -> the 4th call gets 429 and exactly the documented body."""
    sandbox = await start(rate_limit=3)
    for _ in range(3):
        assert (await sandbox.http.get("/1.0/channels", headers=BOT)).status_code == 200
    answer = await sandbox.http.get("/1.0/channels", headers=BOT)
    assert answer.status_code == 429
    assert answer.json() == {
        "error": "rate_limit_exceeded",
        "message": "Rate limit exceeded (3 requests per minute max)",
        "status": 429,
    }


async def test_default_limit_is_500_a_minute(sandbox):
    """No option -> 500 requests per minute."""
    assert sandbox.state.tunables.rate_limit == 500


async def test_injected_5xx_429_and_latency(sandbox):
    """Faults on GET /1.0/channels: error_rate 1 -> 503 service_unavailable; rate_429 1 -> 429; cleared -> 200."""
    put = await sandbox.http.put("/_sandbox/faults", json={"GET /1.0/channels": {"error_rate": 1}})
    assert put.status_code == 200
    failed = await sandbox.http.get("/1.0/channels", headers=BOT)
    assert failed.status_code == 503 and failed.json()["error"] == "service_unavailable"
    assert (await sandbox.http.get("/1.0/categories", headers=BOT)).status_code == 200
    await sandbox.http.put("/_sandbox/faults", json={"GET /1.0/channels": {"rate_429": 1, "latency_ms": 5}})
    limited = await sandbox.http.get("/1.0/channels", headers=BOT)
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limit_exceeded"
    await sandbox.http.delete("/_sandbox/faults")
    assert (await sandbox.http.get("/1.0/channels", headers=BOT)).status_code == 200


async def test_timeout_after_means_done_but_answer_lost(sandbox):
    """timeout_mode "after" on POST /1.0/contents -> 504, yet the reply exists (a blind retry would post it twice)."""
    message = await sandbox.customer_says()
    rule = {"timeout_rate": 1, "timeout_seconds": 0.01, "timeout_mode": "after"}
    await sandbox.http.put("/_sandbox/faults", json={"POST /1.0/contents": rule})
    answer = await sandbox.reply(message["content"]["id"])
    assert answer.status_code == 504
    transcript = (await sandbox.http.get(f"/_sandbox/threads/{message['thread_id']}")).json()
    assert [c["author_kind"] for c in transcript["contents"]] == ["company", "customer", "bot"]


async def test_wildcard_fault_and_custom_status(sandbox):
    """ "*" with error_status 500 applies to every REST path."""
    await sandbox.http.put("/_sandbox/faults", json={"*": {"error_rate": 1, "error_status": 500}})
    answer = await sandbox.http.get("/1.0/status", headers=BOT)
    assert answer.status_code == 500 and answer.json()["status"] == 500


async def test_malformed_fault_rules_are_400(sandbox):
    """A bad key, an unknown field, a rate above 1 -> 400, nothing changed."""
    for body in ({"contents": {}}, {"*": {"bogus": 1}}, {"*": {"error_rate": 2}}, {"*": {"error_status": 404}}):
        answer = await sandbox.http.put("/_sandbox/faults", json=body)
        assert answer.status_code == 400, body
    assert (await sandbox.http.get("/_sandbox/faults")).json() == {}


async def test_garbage_never_gets_a_500(sandbox):
    """Odd methods, paths, parameters and bodies on REST and control APIs -> 4xx with a JSON error body."""
    calls = [
        ("DELETE", "/1.0/contents", {}),
        ("GET", "/1.0/contents/%00", {}),
        ("GET", "/1.0/contents?limit=1e9", {}),
        ("PUT", "/1.0/content_threads//close", {}),
        ("POST", "/1.0/interventions?content_id=", {}),
        ("POST", "/_sandbox/messages", {"content": b"{not json"}),
        ("POST", "/_sandbox/messages", {"json": ["a list"]}),
        ("POST", "/_sandbox/messages", {"json": {"body": 3}}),
        ("POST", "/_sandbox/messages", {"json": {"body": "x", "thread_id": "nope"}}),
        ("POST", "/_sandbox/messages", {"json": {"body": "x", "kind": "robot"}}),
        ("POST", "/_sandbox/agent_replies", {"json": {"agent_id": "x", "in_reply_to_id": "y", "body": "z"}}),
        ("PUT", "/_sandbox/delivery", {"json": {"duplicate_rate": 3}}),
        ("PUT", "/_sandbox/delivery", {"json": {"batch_max": "ten"}}),
        ("PUT", "/_sandbox/agents/nope/status", {"json": {"status": "available"}}),
        ("PUT", "/_sandbox/agents/status", {"json": {"status": "sleeping"}}),
        ("GET", "/_sandbox/threads/nope", {}),
        ("GET", "/_sandbox/deliveries?limit=x", {}),
        ("PUT", "/_sandbox/webhook", {"json": {"url": "ftp://x"}}),
        ("POST", "/_sandbox/sources", {"json": {"name": "x", "default_category_ids": ["nope"]}}),
        ("POST", "/_sandbox/categories", {"json": {"name": "x", "role": "boss"}}),
        ("POST", "/_sandbox/tokens", {"json": {"permissions": "fly"}}),
    ]
    for method, path, extra in calls:
        answer = await sandbox.http.request(method, path, headers=BOT, **extra)
        assert 400 <= answer.status_code < 500, (method, path, answer.status_code, answer.text)
        assert set(answer.json()) == {"error", "message", "status"}, (method, path)
