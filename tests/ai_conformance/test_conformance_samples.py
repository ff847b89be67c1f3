"""The kit's hand-made requests: what the AI under test receives."""

from google.protobuf import unknown_fields

from ai_conformance import samples, wire
from botbridge.ai.v1 import ai_pb2


def test_varints_as_the_wire_format_writes_them():
    # In: integers. Out: their base-128 varints (the examples of the Protocol Buffers encoding guide).
    assert wire.varint(1) == b"\x01"
    assert wire.varint(150) == b"\x96\x01"
    assert wire.varint(300) == b"\xac\x02"
    assert wire.key(1000, wire.VARINT) == b"\xc0\x3e"


def test_the_request_with_unknown_fields_parses_as_a_v1_request_keeping_them():
    # In: the bytes the unknown_fields rule sends. Out: a v1 parser reads the question, the conversation's fields
    # and an earlier message whose author is undefined (9), and keeps 4 unknown fields at each of three levels.
    request = ai_pb2.RespondRequest.FromString(samples.with_unknown_fields("What are your opening hours?"))

    conversation = request.conversation
    assert conversation.message.body == "What are your opening hours?"
    assert conversation.message.author == ai_pb2.AUTHOR_CUSTOMER
    assert conversation.thread_id.startswith("conformance-")
    assert conversation.language == "en"
    assert [message.author for message in conversation.history] == [9]
    for message in (request, conversation, conversation.message):
        assert len(unknown_fields.UnknownFieldSet(message)) == 4


def test_the_long_message_and_the_full_size_conversation():
    # In: the long body and a request with FULL_HISTORY earlier messages. Out: 100 kB; 50 messages of the three
    # authors, the one to answer last.
    assert len(samples.long_body().encode()) == samples.LONG_MESSAGE_BYTES

    conversation = samples.request("Hello", history=samples.FULL_HISTORY).conversation
    assert len(conversation.history) == samples.FULL_HISTORY
    assert {message.author for message in conversation.history} == {
        ai_pb2.AUTHOR_CUSTOMER,
        ai_pb2.AUTHOR_BOT,
        ai_pb2.AUTHOR_AGENT,
    }
    assert conversation.message.body == "Hello"
