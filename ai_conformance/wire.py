"""Protocol Buffers' wire format written by hand: enough to give a message fields its v1 schema does not know."""

VARINT = 0
FIXED64 = 1
LENGTH_DELIMITED = 2
FIXED32 = 5


def varint(value: int) -> bytes:
    """A non-negative integer as a base-128 varint."""
    if value < 0:
        raise ValueError("only non-negative varints are written here")
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def key(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def varint_field(number: int, value: int) -> bytes:
    return key(number, VARINT) + varint(value)


def bytes_field(number: int, payload: bytes) -> bytes:
    """A length-delimited field: a string, bytes or an embedded message."""
    return key(number, LENGTH_DELIMITED) + varint(len(payload)) + payload


def fixed32_field(number: int, payload: bytes) -> bytes:
    if len(payload) != 4:
        raise ValueError("a fixed32 field holds 4 bytes")
    return key(number, FIXED32) + payload


def fixed64_field(number: int, payload: bytes) -> bytes:
    if len(payload) != 8:
        raise ValueError("a fixed64 field holds 8 bytes")
    return key(number, FIXED64) + payload
