"""The account's setup: `/1.0/content_sources` (with `channel_id`), `/1.0/channels` (with `source_ids`),
`/1.0/categories`, `/1.0/users/:id` and `/1.0/users/me`."""

from collections.abc import Callable, Mapping
from typing import Any

from dimelo_sandbox.auth import can_read
from dimelo_sandbox.errors import not_found
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.shapes import category_json, channel_json, source_json, user_json
from dimelo_sandbox.world import World

# One kind of record of the world, by id; the record's JSON as the API shows it.
RecordsOf = Callable[[World], Mapping[str, Any]]
Shape = Callable[[World, Any], dict[str, Any]]


def _show(records_of: RecordsOf, shape: Shape, what: str) -> Callable[[Call], dict[str, Any]]:
    def show(call: Call) -> dict[str, Any]:
        record = records_of(call.sandbox.world).get(call.path["id"])
        if record is None or not can_read(call.user):
            raise not_found(what, call.path["id"])
        shaped: dict[str, Any] = shape(call.sandbox.world, record)
        return shaped

    return show


def _index(records_of: RecordsOf, shape: Shape) -> Callable[[Call], dict[str, Any]]:
    def index(call: Call) -> dict[str, Any]:
        world = call.sandbox.world
        return paginate(call.params, list(records_of(world).values()), lambda record: shape(world, record))

    return index


show_source = _show(lambda w: w.sources, source_json, "content source")
index_sources = _index(lambda w: w.sources, source_json)
show_channel = _show(lambda w: w.channels, lambda _, channel: channel_json(channel), "channel")
index_channels = _index(lambda w: w.channels, lambda _, channel: channel_json(channel))
show_category = _show(lambda w: w.categories, lambda _, category: category_json(category), "category")
index_categories = _index(lambda w: w.categories, lambda _, category: category_json(category))


def show_user(call: Call) -> dict[str, Any]:
    """`/1.0/users/:id`; `me` is the token's own user (documented in the App SDK pages, not in the spec)."""
    world = call.sandbox.world
    user_id = call.user.id if call.path["id"] == "me" else call.path["id"]
    user = world.users.get(user_id)
    if user is None or (user is not call.user and not can_read(call.user)):
        raise not_found("user", call.path["id"])
    return user_json(user)
