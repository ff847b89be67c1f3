"""`/1.0/contents`: create a reply or discussion, read one content, list or search contents with `q`."""

from collections.abc import Callable
from typing import Any

from dimelo_sandbox.auth import can_read
from dimelo_sandbox.errors import not_found
from dimelo_sandbox.model import Content
from dimelo_sandbox.operations.replies import create_content
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.rest.search import parse_query
from dimelo_sandbox.shapes import content_json


def create(call: Call) -> dict[str, Any]:
    return content_json(call.sandbox.world, create_content(call.sandbox, call.user, call.params))


def show(call: Call) -> dict[str, Any]:
    world = call.sandbox.world
    content = world.contents.get(call.path["id"])
    if content is None or not can_read(call.user):
        raise not_found("content", call.path["id"])
    return content_json(world, content)


_KEYWORDS = frozenset({"id", "intervention", "identity", "identity_group", "source", "status_in", "thread"})
_ORDERS = frozenset({"created_at.desc", "created_at.asc"})
# Keywords that narrow a search to one conversation; a listing without any of them spans the whole account.
SCOPING_KEYWORDS = frozenset({"id", "thread", "intervention"})


def index(call: Call) -> dict[str, Any]:
    """Newest first (`order:created_at.asc` in `q` reverses it); `q` keywords filter, other parameters are ignored.

    The sandbox counts listings that no keyword scopes to a thread, an intervention or an id: on a real account
    they page through every content."""
    world = call.sandbox.world
    query = parse_query(call.params.get("q"), _KEYWORDS, _ORDERS)
    if not SCOPING_KEYWORDS & query.terms.keys():
        call.sandbox.stats.account_wide_content_listings += 1
    terms = query.terms
    contents = list(world.contents.values())
    if "thread" in terms:
        threads = [world.threads[t] for t in terms["thread"] if t in world.threads]
        contents = [world.contents[c] for thread in threads for c in thread.content_ids]
    fields: dict[str, Callable[[Content], str | None]] = {
        "id": lambda c: c.id,
        "intervention": lambda c: c.intervention_id,
        "identity": lambda c: c.author_id,
        "identity_group": lambda c: c.author_id,  # one identity per group in the sandbox
        "source": lambda c: c.source_id,
        "status_in": lambda c: c.status,
    }
    for keyword, field_of in fields.items():
        if keyword in terms:
            values = {v for value in terms[keyword] for v in value.split(",")}
            contents = [c for c in contents if field_of(c) in values]
    for word in query.words:
        contents = [c for c in contents if word in c.body.lower()]
    contents.sort(key=lambda c: c.created_at)  # stable: records made in the same instant stay in creation order
    if query.order != "created_at.asc":
        contents.reverse()
    return paginate(call.params, contents, lambda c: content_json(world, c))
