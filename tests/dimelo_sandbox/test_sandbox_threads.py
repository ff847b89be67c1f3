"""PUT /1.0/content_threads/:id/close (asynchronous) and /update_categories (409 during the categorization job)."""

from sandbox_testing import BOT


async def _close(sandbox, thread_id: str, headers=BOT):
    return await sandbox.http.put(f"/1.0/content_threads/{thread_id}/close", headers=headers)


async def _categorize(sandbox, thread_id: str, content: bytes, headers=BOT):
    headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    return await sandbox.http.put(
        f"/1.0/content_threads/{thread_id}/update_categories", content=content, headers=headers
    )


async def test_close_answers_before_the_job_closes_the_thread(sandbox):
    """Close -> 200 with the thread and closed false (the job lags); after the job GET says closed true."""
    message = await sandbox.customer_says()
    answer = await _close(sandbox, message["thread_id"])
    assert answer.status_code == 200
    assert answer.json()["id"] == message["thread_id"] and answer.json()["closed"] is False
    await sandbox.settle()
    thread = (await sandbox.http.get(f"/1.0/content_threads/{message['thread_id']}", headers=BOT)).json()
    assert thread["closed"] is True


async def test_close_of_a_closed_thread_is_403(sandbox):
    """The thread already closed -> 403 thread_cannot_be_closed."""
    message = await sandbox.customer_says()
    await _close(sandbox, message["thread_id"])
    await sandbox.settle()
    answer = await _close(sandbox, message["thread_id"])
    assert answer.status_code == 403 and answer.json()["error"] == "thread_cannot_be_closed"


async def test_close_without_read_is_404_and_without_the_right_is_403(start):
    """No read -> 404 not_found; read but no close_thread permission -> 403 forbidden; unknown thread -> 404."""
    sandbox = await start(tokens="sandbox-bot-token,blind:reply,reader:read")
    message = await sandbox.customer_says()
    blind = await _close(sandbox, message["thread_id"], {"Authorization": "Bearer blind"})
    assert blind.status_code == 404 and blind.json()["error"] == "not_found"
    reader = await _close(sandbox, message["thread_id"], {"Authorization": "Bearer reader"})
    assert reader.status_code == 403 and reader.json()["error"] == "forbidden"
    assert (await _close(sandbox, "unknown")).status_code == 404


async def test_update_categories_sets_the_thread_categories(sandbox):
    """thread_category_ids[]=<agents> -> 200 with thread_category_ids == [agents]; the transcript keeps the history."""
    message = await sandbox.customer_says()
    world = await sandbox.world()
    agents = world["agent_category_ids"][0]
    answer = await _categorize(sandbox, message["thread_id"], f"thread_category_ids[]={agents}".encode())
    assert answer.status_code == 200
    assert answer.json()["thread_category_ids"] == [agents]
    transcript = (await sandbox.http.get(f"/_sandbox/threads/{message['thread_id']}")).json()
    assert transcript["category_history"][-1]["category_ids"] == [agents]
    assert transcript["thread"]["thread_category_ids"] == [agents]


async def test_update_categories_during_a_categorization_is_409(start):
    """Two updates in a row, the first job still running -> the second gets 409 thread_being_categorized."""
    sandbox = await start(job_seconds=5)
    message = await sandbox.customer_says()
    agents = (await sandbox.world())["agent_category_ids"][0]
    form = f"thread_category_ids[]={agents}".encode()
    assert (await _categorize(sandbox, message["thread_id"], form)).status_code == 200
    second = await _categorize(sandbox, message["thread_id"], form)
    assert second.status_code == 409
    assert second.json() == {
        "error": "thread_being_categorized",
        "message": f"content thread {message['thread_id']!r} is already being categorized",
        "status": 409,
    }


async def test_update_categories_bad_input(sandbox):
    """Unknown thread -> 404; unknown category -> 404; a bare (non-array) parameter -> 400."""
    message = await sandbox.customer_says()
    agents = (await sandbox.world())["agent_category_ids"][0]
    assert (await _categorize(sandbox, "unknown", f"thread_category_ids[]={agents}".encode())).status_code == 404
    unknown_category = await _categorize(sandbox, message["thread_id"], b"thread_category_ids[]=nope")
    assert unknown_category.status_code == 404
    bare = await _categorize(sandbox, message["thread_id"], f"thread_category_ids={agents}".encode())
    assert bare.status_code == 400 and "must be an array" in bare.json()["message"]


async def test_update_categories_without_the_optional_parameter_changes_nothing(sandbox):
    """No thread_category_ids[] (optional in the spec) -> 200 and the thread keeps its categories."""
    message = await sandbox.customer_says()
    before = (await sandbox.http.get(f"/1.0/content_threads/{message['thread_id']}", headers=BOT)).json()
    answer = await _categorize(sandbox, message["thread_id"], b"")
    assert answer.status_code == 200
    assert answer.json()["thread_category_ids"] == before["thread_category_ids"] != []


async def test_threads_are_listed_newest_first_and_searched_by_source(sandbox):
    """Threads by last content date, newest first: a new message in the older thread brings it first;
    q=source:"<other source>" -> none of them."""
    older = await sandbox.customer_says("first thread")
    newer = await sandbox.customer_says("second thread")
    ids = [t["id"] for t in (await sandbox.http.get("/1.0/content_threads", headers=BOT)).json()["records"]]
    assert ids == [newer["thread_id"], older["thread_id"]]
    await sandbox.customer_says("again", thread_id=older["thread_id"])
    ids = [t["id"] for t in (await sandbox.http.get("/1.0/content_threads", headers=BOT)).json()["records"]]
    assert ids == [older["thread_id"], newer["thread_id"]]
    other = await sandbox.http.get("/1.0/content_threads", params={"q": 'source:"elsewhere"'}, headers=BOT)
    assert other.json()["count"] == 0


async def test_threads_list_and_show(sandbox):
    """GET /1.0/content_threads pages threads; GET by id gives the seed's shape with both category lists."""
    message = await sandbox.customer_says()
    listed = (await sandbox.http.get("/1.0/content_threads", headers=BOT)).json()
    assert listed["count"] == 1 and listed["records"][0]["id"] == message["thread_id"]
    thread = (await sandbox.http.get(f"/1.0/content_threads/{message['thread_id']}", headers=BOT)).json()
    bot_category = (await sandbox.world())["bot_category_ids"][0]
    assert thread["thread_category_ids"] == [bot_category] and bot_category in thread["category_ids"]
    assert thread["contents_count"] == 2 and thread["closed"] is False
