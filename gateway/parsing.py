"""A webhook body (bytes) turned into a botbridge.events.v1.Delivery, or MalformedDelivery saying why not."""

import json
from typing import Any

from botbridge.events.v1 import events_pb2
from service_kit.dimelo_json import content_from_json, parse_timestamp

# What reading a field can raise on JSON of the wrong shape: a bad time, a number where a list goes,
# a string protobuf cannot encode (a lone surrogate).
_UNREADABLE = (ValueError, TypeError, AttributeError)


class MalformedDelivery(ValueError):
    """The body is not a Dimelo delivery; the message says why, without quoting the body."""


def parse_delivery(body: bytes) -> events_pb2.Delivery:
    """Every event keeps its raw JSON; any event type is accepted as long as it has a string id and type."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise MalformedDelivery(f"the body is not JSON ({error})") from None
    if not isinstance(data, dict):
        raise MalformedDelivery("the body is not a JSON object")
    if not isinstance(data.get("events"), list):
        raise MalformedDelivery('"events" is missing or not a list')
    try:
        delivery = events_pb2.Delivery(id=_text(data.get("id")), domain_id=_text(data.get("domain_id")))
    except _UNREADABLE as error:
        raise MalformedDelivery(f"the delivery id or domain_id is unreadable ({error})") from None
    for position, event in enumerate(data["events"]):
        if not isinstance(event, dict):
            raise MalformedDelivery(f"event {position} is not an object")
        for key in ("id", "type"):
            if not isinstance(event.get(key), str) or not event[key]:
                raise MalformedDelivery(f'event {position} has no string "{key}"')
        try:
            delivery.events.append(_event(event))
        except _UNREADABLE as error:
            raise MalformedDelivery(f"event {position} has an unreadable field ({error})") from None
    return delivery


def _event(data: dict[str, Any]) -> events_pb2.Event:
    resource = data.get("resource") if isinstance(data.get("resource"), dict) else {}
    event = events_pb2.Event(
        id=data["id"],
        type=data["type"],
        resource_type=_text(resource.get("type")),
        resource_id=_text(resource.get("id")),
        raw_json=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    )
    if data.get("user_id") is not None:
        event.user_id = _text(data["user_id"])
    if data.get("issued_at") is not None:
        event.issued_at.CopyFrom(parse_timestamp(data["issued_at"]))
    if event.type.startswith("content.") and isinstance(resource.get("metadata"), dict):
        event.content.CopyFrom(content_from_json(resource["metadata"]))
        event.content.id = event.content.id or event.resource_id
    if event.type.startswith("intervention.") and isinstance(resource.get("metadata"), dict):
        metadata = resource["metadata"]
        event.intervention.CopyFrom(events_pb2.Intervention(
            id=event.resource_id, thread_id=_text(metadata.get("thread_id")), source_id=_text(metadata.get("source_id")),
            user_id=_text(metadata.get("user_id")), category_ids=[_text(c) for c in metadata.get("category_ids") or ()],
        ))  # fmt: skip
    return event


def _text(value: Any) -> str:
    return "" if value is None else str(value)
