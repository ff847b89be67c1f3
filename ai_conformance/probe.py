"""The kit's client of the AI under test: every Respond call goes out as raw bytes with the deadline, and is logged."""

import asyncio
from dataclasses import dataclass

import grpc
from google.protobuf.message import DecodeError

from botbridge.ai.v1 import ai_pb2

SERVICE = ai_pb2.DESCRIPTOR.services_by_name["AiService"]
RESPOND_METHOD = f"/{SERVICE.full_name}/{SERVICE.methods_by_name['Respond'].name}"
_SHOWN_CHARS = 60


def reason_name(reason: int) -> str:
    """The HandoverReason's name, or what it is when v1 does not define it."""
    try:
        return ai_pb2.HandoverReason.Name(reason)
    except ValueError:
        return f"undefined reason {reason}"


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…")


@dataclass(frozen=True)
class Outcome:
    """One Respond call as the caller saw it: a parsed response (code OK) or an error status, and how long it took.

    `response` is None on an error, and on an OK whose bytes are not a RespondResponse.
    """

    asked: str
    code: grpc.StatusCode
    details: str
    seconds: float
    response: ai_pb2.RespondResponse | None

    @property
    def decision(self) -> str | None:
        """ "answer", "handover", or None when the call brought neither."""
        return self.response.WhichOneof("outcome") if self.response is not None else None

    @property
    def decided(self) -> ai_pb2.RespondResponse:
        """The response of a call that brought a decision (the rules ask only those); ValueError on any other."""
        if self.response is None:
            raise ValueError(f"the call {self.asked} brought no response")
        return self.response

    def describe(self) -> str:
        """What came back, in a few words, for the report."""
        if self.code is not grpc.StatusCode.OK:
            return f"status {self.code.name} ({_shown(self.details)}) after {self.seconds * 1000:.0f} ms"
        if self.response is None:
            return "a response that is not a RespondResponse"
        if self.decision == "answer":
            return f"answer {_shown(self.response.answer.text)}"
        if self.decision == "handover":
            return f"handover {reason_name(self.response.handover.reason)}"
        return "a response with neither answer nor handover"


class Probe:
    """Calls the AI under test on `channel`, each call with `deadline` seconds; `calls` keeps every outcome."""

    def __init__(self, channel: grpc.aio.Channel, deadline: float, concurrency: int) -> None:
        self.channel = channel
        self.deadline = deadline
        self.concurrency = concurrency
        self.calls: list[Outcome] = []
        # Bytes in and out: the kit can send fields v1 doesn't know and judge responses that don't parse.
        self._respond: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(RESPOND_METHOD)

    async def respond(self, asked: str, request: ai_pb2.RespondRequest | bytes) -> Outcome:
        """Calls Respond; `asked` names the request in the report."""
        payload = request if isinstance(request, bytes) else request.SerializeToString()
        clock = asyncio.get_running_loop().time
        started = clock()
        try:
            raw = await self._respond(payload, timeout=self.deadline)
        except grpc.aio.AioRpcError as error:
            outcome = Outcome(asked, error.code(), error.details() or "", clock() - started, None)
        else:
            outcome = Outcome(asked, grpc.StatusCode.OK, "", clock() - started, _parse(raw))
        self.calls.append(outcome)
        return outcome


def _parse(raw: bytes) -> ai_pb2.RespondResponse | None:
    try:
        return ai_pb2.RespondResponse.FromString(raw)
    except DecodeError:
        return None
