"""Dimelo's JSON for a content (webhook `resource.metadata` or REST object) turned into the proto `Content`."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from botbridge.events.v1 import events_pb2

_TEXT_FIELDS = (
    "id",
    "thread_id",
    "source_id",
    "author_id",
    "body",
    "body_input_format",
    "status",
    "created_from",
    "foreign_id",
    "thread_title",
    "language",
)
_OPTIONAL_TEXT_FIELDS = ("creator_id", "in_reply_to_id", "in_reply_to_author_id", "intervention_id")
_FLAGS = ("first_in_thread", "approval_required", "has_attachment", "auto_submitted")
_LISTS = ("foreign_categories", "category_ids", "capabilities_supported")


def parse_timestamp(value: str) -> Timestamp:
    """An RFC 3339 time such as "2017-06-25T22:00:41.339Z" as a protobuf Timestamp; ValueError if it is not one."""
    stamp = Timestamp()
    stamp.FromDatetime(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return stamp


def content_from_json(data: Mapping[str, Any]) -> events_pb2.Content:
    """Reads the fields the proxy uses; absent or null fields stay unset, unknown ones are ignored.

    The webhook says `private`, the REST API `private_message`; REST objects count `attachments_count`.
    """
    content = events_pb2.Content()
    for name in _TEXT_FIELDS:
        if data.get(name) is not None:
            setattr(content, name, str(data[name]))
    for name in _OPTIONAL_TEXT_FIELDS:
        if data.get(name) is not None:
            setattr(content, name, str(data[name]))
    for name in _FLAGS:
        setattr(content, name, bool(data.get(name)))
    for name in _LISTS:
        getattr(content, name).extend(str(item) for item in data.get(name) or ())
    content.private_message = bool(data.get("private_message", data.get("private")))
    content.has_attachment = content.has_attachment or bool(data.get("attachments_count"))
    if isinstance(data.get("created_at"), str):
        content.created_at.CopyFrom(parse_timestamp(data["created_at"]))
    return content
