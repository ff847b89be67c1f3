"""Against the sandbox as RingCentral's spec describes Dimelo: crash recovery finds the bot's reply with a search
scoped to the intervention or thread, never by listing the account; a welcome message and a page post, delivered
exactly as the documented webhook carries them, get no answer, even a welcome only the REST content tells apart."""

from urllib.parse import parse_qs

from tests.e2e.conftest import bot_contents, has_bot_reply, outcome_of, recorded

STACK_ENV = {"LEASE_SECONDS": "2", "RETRY_BASE_SECONDS": "0.2", "RETRY_MAX_SECONDS": "1"}


def test_a_reply_whose_recording_was_lost_in_a_crash_is_found_by_a_scoped_search(
    stack, sandbox, spec_checked_exchanges
):
    """In: the sandbox creates the bot's reply but holds its answer; the orchestrator is killed (SIGKILL) once the
    reply exists, before it could record it, then restarted. Out: the reply is found again with
    GET /1.0/contents?q=intervention:"…" (or thread:"…"), never posted twice, and the sandbox counted no
    account-wide listing of contents."""
    # The worker's earlier modules recorded their own searches in the same file: only this test's are judged.
    earlier = len(recorded(spec_checked_exchanges, "rest"))
    sandbox.set_faults({"POST /1.0/contents": {"timeout_rate": 1, "timeout_seconds": 3, "timeout_mode": "after"}})
    message = sandbox.customer_writes("What payment methods do you accept?")
    thread_id, content_id = message["thread_id"], message["content"]["id"]
    sandbox.wait_for(thread_id, has_bot_reply, timeout=20)
    stack.services["orchestrator"].kill()
    sandbox._call("DELETE", "/faults")
    stack.restart("orchestrator")

    assert outcome_of(stack, message["content"], timeout=30).startswith("answered")
    [reply] = bot_contents(sandbox.transcript(thread_id))
    assert reply["in_reply_to_id"] == content_id
    searches = [
        parse_qs(e["query"]).get("q", [""])[0]
        for e in recorded(spec_checked_exchanges, "rest")[earlier:]
        if (e["method"], e["path"]) == ("GET", "/1.0/contents")
    ]
    scope = (f'intervention:"{reply["intervention_id"]}"', f'thread:"{thread_id}"')
    assert searches and all(q in scope for q in searches), searches
    assert sandbox.stats()["account_wide_content_listings"] == 0


def test_a_welcome_message_and_a_page_post_get_no_answer(stack, sandbox, spec_checked_exchanges):
    """In: a customer's first message, preceded by the chat's welcome message; a post the page itself makes. Both
    arrive as content.imported with exactly events.md's metadata (no auto_submitted). Out: the welcome and the page
    post are ignored, only the customer's message is answered."""
    message = sandbox.customer_writes("Where is my parcel?")
    post = sandbox.customer_writes("We are open on Sunday", kind="page_post")
    welcome = message["welcome"]

    assert outcome_of(stack, welcome).startswith("ignored")
    assert outcome_of(stack, post["content"]).startswith("ignored")
    [reply] = bot_contents(sandbox.wait_for(message["thread_id"], has_bot_reply, timeout=20))
    assert reply["in_reply_to_id"] == message["content"]["id"]
    assert bot_contents(sandbox.transcript(post["thread_id"])) == []
    ids = (welcome["id"], post["content"]["id"])
    metadata = [
        event["resource"]["metadata"]
        for record in recorded(spec_checked_exchanges, "webhook")
        for event in record["delivery"]["events"]
        if event["resource"]["id"] in ids
    ]
    assert metadata and all("auto_submitted" not in m for m in metadata)


def test_a_welcome_only_its_rest_content_tells_apart_is_read_once_and_not_answered(stack, sandbox):
    """In: a source whose welcome message comes with status new and first in its thread, as a customer's first
    message would: the webhook cannot tell them apart. Out: the orchestrator reads the content once
    (GET /1.0/contents/:id: auto_submitted) and ignores it; the customer's message is answered."""
    source_id = stack.world["sources"][0]["id"]
    sandbox._call("PATCH", f"/sources/{source_id}", json={"welcome_status": "new"})
    try:
        message = sandbox.customer_writes("Can I change my delivery address?")
        welcome = message["welcome"]
        assert (welcome["status"], welcome["first_in_thread"]) == ("new", True)
        assert outcome_of(stack, welcome).startswith("ignored: sent automatically by the source")
        [reply] = bot_contents(sandbox.wait_for(message["thread_id"], has_bot_reply, timeout=20))
        assert reply["in_reply_to_id"] == message["content"]["id"]
    finally:
        sandbox._call("PATCH", f"/sources/{source_id}", json={"welcome_status": "user_initiated"})
