"""`/1.0/contents`: create a reply or discussion, read one content, list contents (optionally of one thread)."""

from dimelo_sandbox.auth import can_read
from dimelo_sandbox.errors import not_found
from dimelo_sandbox.operations.replies import create_content
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.shapes import content_json


def create(call: Call) -> dict:
    return content_json(call.sandbox.world, create_content(call.sandbox, call.user, call.params))


def show(call: Call) -> dict:
    world = call.sandbox.world
    content = world.contents.get(call.path["id"])
    if content is None or not can_read(call.user):
        raise not_found("content", call.path["id"])
    return content_json(world, content)


def index(call: Call) -> dict:
    """Oldest first; filters `thread_id` and `source_id`."""
    world = call.sandbox.world
    thread_id = call.params.get("thread_id")
    source_id = call.params.get("source_id")
    if thread_id:
        thread = world.threads.get(thread_id)
        contents = [world.contents[c] for c in thread.content_ids] if thread else []
    else:
        contents = list(world.contents.values())
    if source_id:
        contents = [c for c in contents if c.source_id == source_id]
    return paginate(call.params, contents, lambda c: content_json(world, c))
