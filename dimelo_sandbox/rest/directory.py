"""The account's setup: `/1.0/content_sources`, `/1.0/channels` (with `source_ids`), `/1.0/categories`."""

from collections.abc import Callable
from typing import Any

from dimelo_sandbox.auth import can_read
from dimelo_sandbox.errors import not_found
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.shapes import category_json, channel_json, source_json


def _show(records_of: Callable, shape: Callable, what: str) -> Callable[[Call], dict]:
    def show(call: Call) -> dict:
        record = records_of(call.sandbox.world).get(call.path["id"])
        if record is None or not can_read(call.user):
            raise not_found(what, call.path["id"])
        return shape(record)

    return show


def _index(records_of: Callable, shape: Callable) -> Callable[[Call], dict[str, Any]]:
    def index(call: Call) -> dict[str, Any]:
        return paginate(call.params, list(records_of(call.sandbox.world).values()), shape)

    return index


show_source = _show(lambda w: w.sources, source_json, "content source")
index_sources = _index(lambda w: w.sources, source_json)
show_channel = _show(lambda w: w.channels, channel_json, "channel")
index_channels = _index(lambda w: w.channels, channel_json)
show_category = _show(lambda w: w.categories, category_json, "category")
index_categories = _index(lambda w: w.categories, category_json)
