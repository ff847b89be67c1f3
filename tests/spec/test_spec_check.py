"""The check itself: it fails on an undeclared parameter (thread_id on GET /1.0/contents), on a response that
breaks the spec, and on webhook metadata events.md does not list; it passes the documented forms."""

import json

from tests.spec.conftest import BOT
from tests.spec.spec_check import check_all, delivery_problems, spec_checker


async def test_thread_id_sent_to_contents_fails_the_check(recording_sandbox):
    """In: GET /1.0/contents?thread_id=X, then ?q=thread:"X", sent to the sandbox and recorded. Out: the first
    fails (thread_id is not declared for getAllContents) and the sandbox counted it as an account-wide listing;
    the second passes."""
    message = await recording_sandbox.customer_says("Hello")
    thread_id = message["thread_id"]
    await recording_sandbox.http.get("/1.0/contents", params={"thread_id": thread_id}, headers=BOT)
    await recording_sandbox.http.get("/1.0/contents", params={"q": f'thread:"{thread_id}"'}, headers=BOT)
    listing, search = recording_sandbox.records("rest")

    _, problems = check_all([listing])
    assert len(problems) == 1 and "does not declare" in problems[0] and "'thread_id'" in problems[0]
    assert check_all([search]) == ({"GET /contents"}, [])
    stats = (await recording_sandbox.http.get("/_sandbox/stats")).json()
    assert stats["account_wide_content_listings"] == 1


def test_a_response_against_the_schema_fails_and_nulls_count_as_absent():
    """In: a content whose `private_message` is a string; a content with null fields. Out: the first fails on
    private_message; the second passes (the spec marks nothing nullable, the API renders absent values as null)."""
    exchange = {"method": "GET", "path": "/1.0/contents/c1", "query": "", "status": 200}
    bad = spec_checker().check({**exchange, "response": {"id": "c1", "private_message": "yes"}})
    assert len(bad.problems) == 1 and "private_message" in bad.problems[0]
    nulls = spec_checker().check({**exchange, "response": {"id": "c1", "creator_id": None, "in_reply_to_id": None}})
    assert (nulls.operation, nulls.problems) == ("GET /contents/{contentId}", [])


def test_form_and_json_bodies_are_checked_as_the_declared_parameters():
    """In: POST /1.0/contents with an undeclared `text` in a form body; PUT update_categories with a JSON list.
    Out: `text` reported; the JSON list read as thread_category_ids[] and accepted; an error without Dimelo's
    error shape reported."""
    post = {"method": "POST", "path": "/1.0/contents", "query": "", "content_type": "application/x-www-form-urlencoded"}
    assert "'text'" in spec_checker().check({**post, "body": "body=hi&text=hi"}).problems[0]
    put = {
        "method": "PUT",
        "path": "/1.0/content_threads/t1/update_categories",
        "query": "",
        "content_type": "application/json",
        "body": '{"thread_category_ids": ["a", "b"]}',
    }
    assert spec_checker().check(put).problems == []
    refused = spec_checker().check({**put, "status": 409, "response": {"error": "conflict"}})
    assert len(refused.problems) == 1 and "error shape" in refused.problems[0]


def test_webhook_metadata_beyond_events_md_fails():
    """In: a content.imported whose metadata adds auto_submitted; a push_agent event with agent_id. Out: both
    reported, naming the extra field."""
    content = {
        "type": "content.imported",
        "id": "e1",
        "issued_at": "2024-05-24T04:00:44.000Z",
        "resource": {"type": "chat/message", "id": "c1", "metadata": {"auto_submitted": True}},
    }
    agent = {
        "type": "push_agent.availability_change",
        "id": "e2",
        "issued_at": "2024-05-24T04:00:44Z",
        "resource": {
            "type": "push_agent",
            "id": "u1",
            "metadata": {"agent_id": "u1", "channels": [], "custom_status": None},
        },
    }
    problems = delivery_problems({"id": "d1", "domain_id": "x", "events": [content, agent]})
    assert len(problems) == 2
    assert "'auto_submitted'" in problems[0] and "agent_id" in problems[1]


def test_structured_content_is_declared_only_where_the_reference_documents_it():
    """In: a JSON POST /1.0/contents with `structured_content` (structured-messages/select.md), and the same member
    sent to update_categories. Out: the reply passes; the recategorization reports `structured_content`."""
    select = {"type": "select", "items": [{"title": "Yes"}, {"title": "No"}]}
    body = json.dumps({"in_reply_to_id": "c1", "body": "Which one?", "structured_content": select})
    post = {"method": "POST", "path": "/1.0/contents", "query": "", "content_type": "application/json", "body": body}
    assert spec_checker().check(post).problems == []
    put = {**post, "method": "PUT", "path": "/1.0/content_threads/t1/update_categories"}
    assert "'structured_content'" in spec_checker().check(put).problems[0]
