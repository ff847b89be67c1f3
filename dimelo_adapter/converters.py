"""Dimelo's JSON for interventions, threads, sources and contents turned into the adapter's protos."""

from collections.abc import Mapping
from typing import Any

from botbridge.dimelo.v1 import dimelo_pb2
from botbridge.events.v1 import events_pb2
from dimelo_adapter.errors import UnreadableAnswer
from service_kit.dimelo_json import content_from_json


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value)


def _texts(data: Mapping[str, Any], name: str) -> list[str]:
    return [str(item) for item in data.get(name) or ()]


def content(data: Mapping[str, Any]) -> events_pb2.Content:
    """The shared content conversion; a malformed field is Dimelo's fault, reported as an unreadable answer."""
    try:
        return content_from_json(data)
    except (TypeError, ValueError) as error:
        raise UnreadableAnswer(f"Dimelo answered content {_text(data, 'id')!r} that cannot be read: {error}") from None


def intervention(data: Mapping[str, Any]) -> dimelo_pb2.Intervention:
    return dimelo_pb2.Intervention(
        id=_text(data, "id"),
        thread_id=_text(data, "thread_id"),
        content_id=_text(data, "content_id"),
        user_id=_text(data, "user_id"),
        closed=bool(data.get("closed")),
    )


def thread(data: Mapping[str, Any]) -> dimelo_pb2.Thread:
    return dimelo_pb2.Thread(
        id=_text(data, "id"),
        source_id=_text(data, "source_id"),
        title=_text(data, "title"),
        closed=bool(data.get("closed")),
        thread_category_ids=_texts(data, "thread_category_ids"),
        category_ids=_texts(data, "category_ids"),
    )


def source(data: Mapping[str, Any], channel: Mapping[str, Any] | None) -> dimelo_pb2.Source:
    """The source with its channel (named by its `channel_id`), or without one when it has none."""
    return dimelo_pb2.Source(
        id=_text(data, "id"),
        name=_text(data, "name"),
        type=_text(data, "type"),
        channel_id=_text(data, "channel_id"),
        channel_name=_text(channel or {}, "name"),
    )


def structured_content(request: dimelo_pb2.CreateReplyRequest) -> dict[str, Any]:
    """The reply's `structured_content` as the reference's JSON: `select` items, or `template` buttons (the body is
    the template's title)."""
    structured = request.structured_content
    if structured.type == "template":
        items = [
            {"type": "url", "title": item.title, "url": item.url}
            if item.url
            else {"type": "reply", "title": item.title, **({"payload": item.payload} if item.payload else {})}
            for item in structured.items
        ]
        return {"type": "template", "title": request.body, "items": items}
    items = [{"title": item.title, **({"payload": item.payload} if item.payload else {})} for item in structured.items]
    return {"type": structured.type, "items": items}
