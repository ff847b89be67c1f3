"""`/1.0/contents`: create a reply or discussion, read one content, list or search contents with `q`."""

from dimelo_sandbox.auth import can_read
from dimelo_sandbox.errors import not_found
from dimelo_sandbox.operations.replies import create_content
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.rest.search import parse_query
from dimelo_sandbox.shapes import content_json


def create(call: Call) -> dict:
    return content_json(call.sandbox.world, create_content(call.sandbox, call.user, call.params))


def show(call: Call) -> dict:
    world = call.sandbox.world
    content = world.contents.get(call.path["id"])
    if content is None or not can_read(call.user):
        raise not_found("content", call.path["id"])
    return content_json(world, content)


_KEYWORDS = frozenset({"id", "intervention", "identity", "identity_group", "source", "status_in", "thread"})
_ORDERS = frozenset({"created_at.desc", "created_at.asc"})
# Keywords that narrow a search to one conversation; a listing without any of them spans the whole account.
SCOPING_KEYWORDS = frozenset({"id", "thread", "intervention"})


def index(call: Call) -> dict:
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
        thread = world.threads.get(terms["thread"])
        contents = [world.contents[c] for c in thread.content_ids] if thread else []
    checks = {
        "id": lambda c, v: c.id == v,
        "intervention": lambda c, v: c.intervention_id == v,
        "identity": lambda c, v: c.author_id == v,
        "identity_group": lambda c, v: c.author_id == v,  # one identity per group in the sandbox
        "source": lambda c, v: c.source_id == v,
        "status_in": lambda c, v: c.status in v.split(","),
    }
    for keyword, check in checks.items():
        if keyword in terms:
            contents = [c for c in contents if check(c, terms[keyword])]
    for word in query.words:
        contents = [c for c in contents if word in c.body.lower()]
    contents.sort(key=lambda c: c.created_at)  # stable: records made in the same instant stay in creation order
    if query.order != "created_at.asc":
        contents.reverse()
    return paginate(call.params, contents, lambda c: content_json(world, c))
