"""What the store can hold of an event: ids it can index, and text without NUL characters (PostgreSQL refuses them)."""

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from botbridge.events.v1 import events_pb2

# Ids are indexed: a PostgreSQL index entry holds at most 2,704 bytes, and a character takes up to 4 (Dimelo's ids
# have 24).
MAX_ID_CHARS = 512
NUL, REPLACEMENT = "\x00", "\ufffd"


def unstorable(event: events_pb2.Event) -> str:
    """Why the event cannot be stored as an event (then it is quarantined), or "" when it can."""
    if not event.id:
        return "the event has no id"
    ids = {"id": event.id, "type": event.type, "content id": event.content.id, "thread id": event.content.thread_id}
    for name, value in ids.items():
        if len(value) > MAX_ID_CHARS:
            return f"the event's {name} has {len(value)} characters (at most {MAX_ID_CHARS})"
    return ""


def without_nul(text: str) -> str:
    return text.replace(NUL, REPLACEMENT) if NUL in text else text


def replace_nul(message: Message) -> None:
    """Replaces NUL by U+FFFD in every string field of `message`, nested messages included (in place; the events
    protos have no maps)."""
    for field, value in message.ListFields():
        repeated = field.is_repeated
        if field.message_type is not None:
            for item in value if repeated else [value]:
                replace_nul(item)
        elif field.type == FieldDescriptor.TYPE_STRING:
            if repeated:
                value[:] = [without_nul(item) for item in value]
            elif NUL in value:
                setattr(message, field.name, without_nul(value))
