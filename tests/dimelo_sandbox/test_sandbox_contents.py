"""POST /1.0/contents (replies and new discussions) and reading contents, with each documented refusal."""

from sandbox_testing import BOT


async def _enforce_interventions(sandbox, source_id: str) -> None:
    answer = await sandbox.http.patch(f"/_sandbox/sources/{source_id}", json={"require_intervention_for_reply": True})
    assert answer.status_code == 200 and answer.json()["require_intervention_for_reply"] is True


async def test_reply_is_created_as_the_token_user_from_the_api(sandbox):
    """A reply with HTML in it -> 200, the seed's content shape, creator = bot user, created_from api, body as sent."""
    message = await sandbox.customer_says()
    answer = await sandbox.reply(message["content"]["id"], "<p>Try <b>restarting</b> it</p>")
    assert answer.status_code == 200
    content = answer.json()
    world = await sandbox.world()
    assert content["creator_id"] == world["bot_user"]["id"]
    assert content["created_from"] == "api"
    assert content["body"] == "<p>Try <b>restarting</b> it</p>"
    assert content["in_reply_to_id"] == message["content"]["id"]
    assert content["thread_id"] == message["thread_id"]
    assert content["status"] == "user_reply" and content["private_message"] is False
    assert content["synchronization_status"] == "pending"
    for name in (
        "id",
        "source_id",
        "source_type",
        "author_id",
        "foreign_id",
        "type",
        "body_formatted",
        "body_input_format",
        "category_ids",
        "created_at",
        "updated_at",
        "attachments_count",
    ):
        assert name in content
    replied_to = (await sandbox.http.get(f"/1.0/contents/{message['content']['id']}", headers=BOT)).json()
    assert replied_to["status"] == "replied"


async def test_body_is_mandatory(sandbox):
    """No body (or a blank one) -> 400 missing_parameter."""
    message = await sandbox.customer_says()
    for form in (
        {"in_reply_to_id": message["content"]["id"]},
        {"in_reply_to_id": message["content"]["id"], "body": " "},
    ):
        answer = await sandbox.http.post("/1.0/contents", data=form, headers=BOT)
        assert answer.status_code == 400
        assert answer.json() == {"error": "missing_parameter", "message": "parameter body is mandatory", "status": 400}


async def test_unknown_in_reply_to_is_404(sandbox):
    """in_reply_to_id that does not exist -> 404 not_found."""
    answer = await sandbox.reply("000000000000000000000000")
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


async def test_source_id_is_mandatory_without_in_reply_to(sandbox):
    """Neither in_reply_to_id nor source_id -> 400 naming source_id."""
    answer = await sandbox.http.post("/1.0/contents", data={"body": "Hi"}, headers=BOT)
    assert answer.status_code == 400
    assert answer.json()["message"] == "parameter source_id is mandatory"


async def test_chat_source_cannot_initiate_discussions(sandbox):
    """source_id of the chat source without in_reply_to_id -> 400: in_reply_to_id is mandatory there."""
    source_id = (await sandbox.world())["sources"][0]["id"]
    answer = await sandbox.http.post("/1.0/contents", data={"body": "Hi", "source_id": source_id}, headers=BOT)
    assert answer.status_code == 400
    assert "in_reply_to_id is mandatory" in answer.json()["message"]


async def test_source_that_initiates_discussions_gets_a_new_thread(sandbox):
    """On a source with initiate_discussion -> 200, a new thread, status user_initiated, no in_reply_to."""
    source = (
        await sandbox.http.post(
            "/_sandbox/sources", json={"name": "Mail", "type": "email", "initiate_discussion": True}
        )
    ).json()
    answer = await sandbox.http.post("/1.0/contents", data={"body": "News", "source_id": source["id"]}, headers=BOT)
    assert answer.status_code == 200
    assert answer.json()["status"] == "user_initiated" and answer.json()["in_reply_to_id"] is None


async def test_reply_refused_when_source_requires_an_open_intervention(sandbox):
    """Rule enforced, no intervention -> 403 in_reply_to_not_under_intervention; after opening one -> 200."""
    message = await sandbox.customer_says()
    await _enforce_interventions(sandbox, message["content"]["source_id"])
    refused = await sandbox.reply(message["content"]["id"])
    assert refused.status_code == 403
    assert refused.json()["error"] == "in_reply_to_not_under_intervention"
    assert "not under an open intervention" in refused.json()["message"]
    opened = await sandbox.http.post("/1.0/interventions", data={"content_id": message["content"]["id"]}, headers=BOT)
    assert opened.status_code == 200
    accepted = await sandbox.reply(message["content"]["id"])
    assert accepted.status_code == 200
    assert accepted.json()["intervention_id"] == opened.json()["id"]


async def test_reply_refused_when_the_intervention_was_closed(sandbox):
    """Enforced rule, the content's intervention closed -> 403 in_reply_to_not_under_intervention again."""
    message = await sandbox.customer_says()
    await _enforce_interventions(sandbox, message["content"]["source_id"])
    intervention = (
        await sandbox.http.post("/1.0/interventions", data={"content_id": message["content"]["id"]}, headers=BOT)
    ).json()
    assert (await sandbox.reply(message["content"]["id"])).status_code == 200
    assert (await sandbox.http.put(f"/1.0/interventions/{intervention['id']}/close", headers=BOT)).status_code == 200
    await sandbox.settle()
    refused = await sandbox.reply(message["content"]["id"])
    assert refused.status_code == 403 and refused.json()["error"] == "in_reply_to_not_under_intervention"


async def test_reply_to_a_content_not_yet_synchronized_is_refused(start):
    """Replying to an API content still being exported -> 403 in_reply_to_not_synchronized; once exported -> 200."""
    sandbox = await start(job_seconds=0.2)
    message = await sandbox.customer_says()
    own = (await sandbox.reply(message["content"]["id"])).json()
    refused = await sandbox.reply(own["id"])
    assert refused.status_code == 403 and refused.json()["error"] == "in_reply_to_not_synchronized"
    await sandbox.settle()
    assert (await sandbox.reply(own["id"])).status_code == 200


async def test_reply_in_a_closed_thread_is_refused(sandbox):
    """After the thread's close job -> 403 thread_closed."""
    message = await sandbox.customer_says()
    assert (
        await sandbox.http.put(f"/1.0/content_threads/{message['thread_id']}/close", headers=BOT)
    ).status_code == 200
    await sandbox.settle()
    refused = await sandbox.reply(message["content"]["id"])
    assert refused.status_code == 403 and refused.json()["error"] == "thread_closed"


async def test_private_flag(sandbox):
    """private=1 -> private_message true; private=maybe -> 400 invalid_parameter."""
    message = await sandbox.customer_says()
    form = {"in_reply_to_id": message["content"]["id"], "body": "psst", "private": "1"}
    assert (await sandbox.http.post("/1.0/contents", data=form, headers=BOT)).json()["private_message"] is True
    answer = await sandbox.http.post("/1.0/contents", data={**form, "private": "maybe"}, headers=BOT)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_parameter"


async def test_author_id_must_be_writable_by_the_user(sandbox):
    """author_id unknown -> 404; the customer's identity -> 403; the source's company identity -> 200."""
    message = await sandbox.customer_says()
    base = {"in_reply_to_id": message["content"]["id"], "body": "Hi"}
    unknown = await sandbox.http.post("/1.0/contents", data={**base, "author_id": "nope"}, headers=BOT)
    assert unknown.status_code == 404
    customer = await sandbox.http.post(
        "/1.0/contents", data={**base, "author_id": message["content"]["author_id"]}, headers=BOT
    )
    assert customer.status_code == 403
    company_id = (await sandbox.world())["sources"][0]["company_identity_id"]
    company = await sandbox.http.post("/1.0/contents", data={**base, "author_id": company_id}, headers=BOT)
    assert company.status_code == 200 and company.json()["author_id"] == company_id


async def test_token_without_reply_right_is_refused(start):
    """A read-only token -> 403 forbidden on POST /1.0/contents."""
    sandbox = await start(tokens="sandbox-bot-token,reader:read")
    message = await sandbox.customer_says()
    answer = await sandbox.reply(message["content"]["id"], headers={"Authorization": "Bearer reader"})
    assert answer.status_code == 403 and answer.json()["error"] == "forbidden"


async def test_json_bodies_are_read_like_form_bodies(sandbox):
    """A JSON reply {in_reply_to_id, body, private: true} -> 200, a private reply; a JSON list is an array
    parameter (thread_category_ids) -> the thread recategorized. The official JS client sends JSON."""
    message = await sandbox.customer_says()
    reply = await sandbox.http.post(
        "/1.0/contents", json={"in_reply_to_id": message["content"]["id"], "body": "x", "private": True}, headers=BOT
    )
    assert reply.status_code == 200 and (reply.json()["body"], reply.json()["private_message"]) == ("x", True)
    agents = (await sandbox.world())["agent_category_ids"]
    categorized = await sandbox.http.put(
        f"/1.0/content_threads/{message['thread_id']}/update_categories",
        json={"thread_category_ids": agents},
        headers=BOT,
    )
    assert categorized.status_code == 200 and categorized.json()["thread_category_ids"] == agents


async def test_malformed_bodies_get_400_not_500(sandbox):
    """Unparsable JSON, a JSON array, bytes that are not UTF-8, and too many fields -> 400 invalid_request."""
    json_type = {**BOT, "Content-Type": "application/json"}
    for body in (b"{not json", b"[1, 2]"):
        answer = await sandbox.http.post("/1.0/contents", content=body, headers=json_type)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
    form = {**BOT, "Content-Type": "application/x-www-form-urlencoded"}
    not_utf8 = await sandbox.http.post("/1.0/contents", content=b"body=\xff\xfe", headers=form)
    assert not_utf8.status_code == 400
    bad_escape = await sandbox.http.post("/1.0/contents", content=b"body=%ff%fe", headers=form)
    assert bad_escape.status_code == 400
    flood = await sandbox.http.post("/1.0/contents", content=b"&".join([b"a=1"] * 2000), headers=form)
    assert flood.status_code == 400


async def _contents(sandbox, **params) -> dict:
    answer = await sandbox.http.get("/1.0/contents", params=params, headers=BOT)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_threads_contents_are_searched_with_q_newest_first(sandbox):
    """q=thread:"<id>" -> {count, offset, limit, records} of that thread only, newest first; order:created_at.asc
    reverses it; limit capped at 150. Scoped searches are not account-wide listings."""
    first = await sandbox.customer_says("one")
    for text in ("two", "three"):
        await sandbox.customer_says(text, thread_id=first["thread_id"])
    await sandbox.customer_says("another thread")
    scope = f'thread:"{first["thread_id"]}"'
    answer = await _contents(sandbox, q=scope, limit=2, offset=1)
    assert answer["count"] == 4  # the welcome message, then three customer messages
    assert (answer["offset"], answer["limit"]) == (1, 2)
    assert [r["body"] for r in answer["records"]] == ["two", "one"]
    oldest_first = await _contents(sandbox, q=f"{scope} order:created_at.asc")
    assert [r["body"] for r in oldest_first["records"]][1:] == ["one", "two", "three"]
    assert (await sandbox.http.get("/_sandbox/stats")).json()["account_wide_content_listings"] == 0
    capped = await _contents(sandbox, q=scope, limit=500)
    assert capped["limit"] == 150


async def test_thread_id_is_not_a_contents_parameter(sandbox):
    """?thread_id=X is ignored, as on the real API: every content of the account, newest first, and the sandbox
    counts an account-wide listing."""
    first = await sandbox.customer_says("one")
    second = await sandbox.customer_says("two")
    answer = await _contents(sandbox, thread_id=first["thread_id"])
    assert answer["count"] == 4 and answer["records"][0]["id"] == second["content"]["id"]
    assert (await sandbox.http.get("/_sandbox/stats")).json()["account_wide_content_listings"] == 1


async def test_q_keywords_intervention_source_status_and_words(sandbox):
    """intervention:"i" -> the contents under it; source: and status_in: filter; bare words search the body;
    an unknown keyword -> 400."""
    message = await sandbox.customer_says("my modem is broken")
    opened = await sandbox.http.post("/1.0/interventions", data={"content_id": message["content"]["id"]}, headers=BOT)
    intervention_id = opened.json()["id"]
    reply = (await sandbox.reply(message["content"]["id"], "Let me help")).json()
    under = await _contents(sandbox, q=f'intervention:"{intervention_id}"')
    assert reply["id"] in [r["id"] for r in under["records"]] and all(
        r["intervention_id"] == intervention_id for r in under["records"]
    )
    source_id = message["content"]["source_id"]
    words = await _contents(sandbox, q=f'source:"{source_id}" modem')
    assert [r["id"] for r in words["records"]] == [message["content"]["id"]]
    statuses = await _contents(sandbox, q="status_in:user_initiated")
    assert {r["status"] for r in statuses["records"]} == {"user_initiated"}
    unknown = await sandbox.http.get("/1.0/contents", params={"q": "colour:blue"}, headers=BOT)
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_parameter"


async def test_bad_pagination_is_400(sandbox):
    """offset -1, limit 0 or limit abc -> 400 invalid_parameter."""
    for params in ({"offset": -1}, {"limit": 0}, {"limit": "abc"}):
        answer = await sandbox.http.get("/1.0/contents", params=params, headers=BOT)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_parameter"


async def test_reading_unknown_records_is_404(sandbox):
    """Unknown ids on every GET by id -> 404 not_found."""
    for path in ("contents", "content_threads", "content_sources", "channels", "categories", "interventions"):
        answer = await sandbox.http.get(f"/1.0/{path}/unknown", headers=BOT)
        assert answer.status_code == 404, path
        assert answer.json()["error"] == "not_found"
