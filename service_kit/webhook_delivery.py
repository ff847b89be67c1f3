"""A Dimelo webhook body (bytes) turned into the orchestrator's SubmitDeliveryRequest, each event judged on its own.

Readable events become typed events (raw JSON kept); an unreadable one becomes a quarantine item with the reason,
as a delivery body holding only that event, so that replaying it goes through this same parser. Only a body that is
not a delivery at all (not JSON, not an object, no list of events) is refused whole: NotADelivery.
Used by the gateway, and by `python -m orchestrator.admin` to replay what was quarantined.
"""

import json
import re
from typing import Any

from botbridge.events.v1 import events_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2
from service_kit.dimelo_json import content_from_json, parse_timestamp

# What reading a field can raise on JSON of the wrong shape: a bad time, a number where a list goes,
# nesting too deep to walk.
_UNREADABLE = (ValueError, TypeError, AttributeError, RecursionError, OverflowError)
# json.loads joins surrogate pairs into one character: what is left of the range is a lone surrogate.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# A reason quotes at most this much of what it read (an error may quote a value of any size).
MAX_REASON_CHARS = 300
# Python refuses to read longer integers (sys.get_int_max_str_digits, 4,300 by default).
MAX_INTEGER_DIGITS = 4000


class NotADelivery(ValueError):
    """The body is not a Dimelo delivery at all; the message says why, without quoting the body."""


def delivery_request(body: bytes) -> orchestrator_pb2.SubmitDeliveryRequest:
    """The events to store and the unreadable ones to quarantine; NotADelivery when the body is no delivery.

    Bytes that are not UTF-8 and lone surrogates (neither can travel in a protobuf string) become U+FFFD; an integer
    too long for Python to read (over 4,000 digits) is kept as its digits in a string."""
    try:
        data = json.loads(body.decode("utf-8-sig", "replace"), parse_int=_integer)
    except (ValueError, RecursionError) as error:
        raise NotADelivery(_short(f"the body is not JSON ({error})")) from None
    if not isinstance(data, dict):
        raise NotADelivery("the body is not a JSON object")
    if not isinstance(data.get("events"), list):
        raise NotADelivery('"events" is missing or not a list')
    delivery = events_pb2.Delivery(id=_text(data.get("id")), domain_id=_text(data.get("domain_id")))
    request = orchestrator_pb2.SubmitDeliveryRequest(delivery=delivery)
    for position, raw in enumerate(data["events"]):
        try:
            event, text = _readable(raw)
            problem = _problem(event)
            if not problem:
                request.delivery.events.append(_event(event, text))
                continue
        except _UNREADABLE as error:
            event, problem = raw, f"has an unreadable field ({error})"
        request.quarantine.append(_alone(delivery, event, body, _short(f"event {position} {problem}")))
    return request


def _alone(delivery: events_pb2.Delivery, event: Any, whole: bytes, reason: str) -> orchestrator_pb2.QuarantineItem:
    """An unreadable event as a quarantine item: a delivery body holding only this event (the `whole` body when the
    event is nested too deep to write again; its position in the reason says which one it is)."""
    alone = {"id": delivery.id, "domain_id": delivery.domain_id, "events": [event]}
    try:
        body = _dumps(alone).encode("utf-8", "surrogatepass")
    except (ValueError, RecursionError):
        body = whole
    return orchestrator_pb2.QuarantineItem(body=body, reason=reason)


def _readable(raw: Any) -> tuple[Any, str]:
    """The event with lone surrogates replaced in every string (keys included), and its JSON text. Its strings are
    walked only when its text holds a lone surrogate: walking them cost a third of the parse (the seed's delivery)."""
    text = _dumps(raw)
    if _LONE_SURROGATE.search(text) is None:
        return raw, text
    cleaned = _cleaned(raw)
    return cleaned, _dumps(cleaned)


def _problem(event: Any) -> str:
    """Why an event cannot be read as one, or "" when it can."""
    if not isinstance(event, dict):
        return "is not an object"
    for key in ("id", "type"):
        if not isinstance(event.get(key), str) or not event[key]:
            return f'has no string "{key}"'
    return ""


def _event(data: dict[str, Any], raw_json: str) -> events_pb2.Event:
    resource = data.get("resource")
    if not isinstance(resource, dict):
        resource = {}
    event = events_pb2.Event(
        id=data["id"],
        type=data["type"],
        resource_type=_text(resource.get("type")),
        resource_id=_text(resource.get("id")),
        raw_json=raw_json,
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
        event.intervention.CopyFrom(
            events_pb2.Intervention(
                id=event.resource_id,
                thread_id=_text(metadata.get("thread_id")),
                source_id=_text(metadata.get("source_id")),
                user_id=_text(metadata.get("user_id")),
                category_ids=[_text(category) for category in metadata.get("category_ids") or ()],
            )
        )
    return event


def _cleaned(value: Any) -> Any:
    """`value` with lone surrogates (from "\\ud800" escapes) replaced by U+FFFD in every string, keys included."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {_cleaned(key): _cleaned(item) for key, item in value.items()}
    return value


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _integer(digits: str) -> int | str:
    return int(digits) if len(digits) <= MAX_INTEGER_DIGITS else digits


def _text(value: Any) -> str:
    return "" if value is None else _cleaned(value if isinstance(value, str) else str(value))


def _short(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"
