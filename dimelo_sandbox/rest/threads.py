"""`/1.0/content_threads`: read, list, close (asynchronous) and recategorize threads."""

from dimelo_sandbox.operations.threads import close_thread, readable_thread, update_categories
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.shapes import thread_json


def show(call: Call) -> dict:
    return thread_json(readable_thread(call.sandbox, call.user, call.path["id"]))


def index(call: Call) -> dict:
    """Oldest first; filter `source_id`."""
    world = call.sandbox.world
    threads = list(world.threads.values())
    source_id = call.params.get("source_id")
    if source_id:
        threads = [t for t in threads if t.source_id == source_id]
    return paginate(call.params, threads, thread_json)


def close(call: Call) -> dict:
    return thread_json(close_thread(call.sandbox, call.user, call.path["id"]))


def categorize(call: Call) -> dict:
    category_ids = call.params.array("thread_category_ids")
    thread = update_categories(call.sandbox, call.user, call.path["id"], category_ids)
    return thread_json(thread)
