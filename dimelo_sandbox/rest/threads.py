"""`/1.0/content_threads`: read, list, close (asynchronous) and recategorize threads."""

from typing import Any

from dimelo_sandbox.operations.threads import close_thread, readable_thread, update_categories
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.rest.search import parse_query
from dimelo_sandbox.shapes import thread_json


def show(call: Call) -> dict[str, Any]:
    return thread_json(readable_thread(call.sandbox, call.user, call.path["id"]))


_KEYWORDS = frozenset({"id", "source"})
_ORDERS = frozenset({"updated_at.desc", "updated_at.asc"})


def index(call: Call) -> dict[str, Any]:
    """By last content date, newest first (`order:updated_at.asc` in `q` reverses it); `q` keywords `id` and
    `source`; other parameters are ignored."""
    query = parse_query(call.params.get("q"), _KEYWORDS, _ORDERS)
    threads = list(call.sandbox.world.threads.values())
    if "id" in query.terms:
        threads = [t for t in threads if t.id in query.terms["id"]]
    if "source" in query.terms:
        threads = [t for t in threads if t.source_id in query.terms["source"]]
    for word in query.words:
        threads = [t for t in threads if word in t.title.lower()]
    threads.sort(key=lambda t: t.updated_at)
    if query.order != "updated_at.asc":
        threads.reverse()
    return paginate(call.params, threads, thread_json)


def close(call: Call) -> dict[str, Any]:
    return thread_json(close_thread(call.sandbox, call.user, call.path["id"]))


def categorize(call: Call) -> dict[str, Any]:
    category_ids = call.params.array("thread_category_ids")
    thread = update_categories(call.sandbox, call.user, call.path["id"], category_ids)
    return thread_json(thread)
