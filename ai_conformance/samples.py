"""The requests the kit sends: conversations as the proxy builds them, and the unusual ones the contract covers."""

import uuid

from google.protobuf.timestamp_pb2 import Timestamp

from ai_conformance import wire
from botbridge.ai.v1 import ai_pb2

# Questions a customer of any shop may ask; whether each gets an answer or a handover is the AI's choice.
QUESTIONS = (
    "What are your opening hours?",
    "How long does delivery take?",
    "How do I return an item?",
    "Hello!",
    "Thanks a lot, bye!",
)
HUMAN_REQUESTS = ("I want to talk to a human agent, please.", "Can I speak to a real person?")
# "What are your opening hours?" in Japanese, a language few FAQ bots handle.
UNSUPPORTED_LANGUAGE = ("ja", "営業時間を教えてください。")
EMPTY_BODIES = ("", "  \n\t ")
LONG_MESSAGE_BYTES = 100_000
# The proto says "at most a few dozen" earlier messages.
FULL_HISTORY = 50

_AUTHORS = (ai_pb2.AUTHOR_CUSTOMER, ai_pb2.AUTHOR_BOT, ai_pb2.AUTHOR_AGENT)
# Field numbers from 1000 up: far beyond any v1 field, as a later version of the proto could add them.
_UNKNOWN_FIELDS = (
    wire.varint_field(1000, 42)
    + wire.bytes_field(1001, b"a field from a later version")
    + wire.fixed32_field(1002, b"\x00\x00\x80\x3f")
    + wire.fixed64_field(1003, b"\x01" * 8)
)
# An Author value v1 does not define: a later version may add one.
_UNKNOWN_AUTHOR = 9


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.GetCurrentTime()
    return stamp


def message(body: str, author: ai_pb2.Author = ai_pb2.AUTHOR_CUSTOMER) -> ai_pb2.Message:
    return ai_pb2.Message(content_id=uuid.uuid4().hex[:24], author=author, body=body, created_at=_now())


def request(body: str, language: str = "en", history: int = 0) -> ai_pb2.RespondRequest:
    """A conversation in a new thread ending with `body`, after `history` earlier messages of every author."""
    conversation = ai_pb2.Conversation(
        thread_id=f"conformance-{uuid.uuid4().hex[:12]}",
        source_id="conformance-source",
        language=language,
        title="Conformance check",
        message=message(body),
        history=[message(f"Earlier message {n}.", _AUTHORS[n % len(_AUTHORS)]) for n in range(history)],
    )
    return ai_pb2.RespondRequest(conversation=conversation)


def picked_choice_request() -> ai_pb2.RespondRequest:
    """The customer taps a choice the bot offered with its last answer: its title as the body, `picked_choice` set."""
    picked = ai_pb2.Choice(title="Delivery times", payload="conformance_delivery_times")
    asked = request(picked.title)
    asked.conversation.history.extend(
        [
            message("delivery"),
            message("Which of these do you mean? 1. Shipping costs 2. Delivery times", ai_pb2.AUTHOR_BOT),
        ]
    )
    asked.conversation.message.picked_choice.CopyFrom(picked)
    return asked


def long_body() -> str:
    """A customer message of LONG_MESSAGE_BYTES bytes: a question pasted over and over."""
    sentence = "Where is my order? I have been waiting for two weeks now. "
    return (sentence * (LONG_MESSAGE_BYTES // len(sentence) + 1))[:LONG_MESSAGE_BYTES]


def with_unknown_fields(body: str) -> bytes:
    """A RespondRequest's bytes with unknown fields in the request, the conversation and both messages, and a
    history message whose author is a value v1 does not define."""
    fields = {name: field.number for name, field in ai_pb2.Conversation.DESCRIPTOR.fields_by_name.items()}
    author = ai_pb2.Message.DESCRIPTOR.fields_by_name["author"].number
    conversation_field = ai_pb2.RespondRequest.DESCRIPTOR.fields_by_name["conversation"].number
    base = request(body).conversation
    latest = base.message.SerializeToString() + _UNKNOWN_FIELDS
    earlier = message("Earlier message.", ai_pb2.AUTHOR_UNSPECIFIED).SerializeToString()
    earlier += wire.varint_field(author, _UNKNOWN_AUTHOR)
    base.ClearField("message")
    conversation = (
        base.SerializeToString()
        + wire.bytes_field(fields["history"], earlier)
        + wire.bytes_field(fields["message"], latest)
        + _UNKNOWN_FIELDS
    )
    return wire.bytes_field(conversation_field, conversation) + _UNKNOWN_FIELDS
