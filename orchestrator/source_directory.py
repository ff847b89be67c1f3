"""What the orchestrator reads from Dimelo once and keeps: sources and their channels, the bot's own user id, and
whether a content was sent automatically."""

import time
from collections import OrderedDict

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc

TTL_SECONDS = 300.0
MAX_CONTENT_FLAGS = 10_000


class SourceDirectory:
    """A cache of GetSource answers (each source with its channel), each kept for TTL_SECONDS."""

    def __init__(self, dimelo: "dimelo_pb2_grpc.DimeloServiceAsyncStub") -> None:
        self._dimelo = dimelo
        self._cache: dict[str, tuple[float, dimelo_pb2.Source]] = {}

    async def get(self, source_id: str) -> dimelo_pb2.Source:
        cached = self._cache.get(source_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        response = await self._dimelo.GetSource(dimelo_pb2.GetSourceRequest(source_id=source_id))
        self._cache[source_id] = (time.monotonic() + TTL_SECONDS, response.source)
        return response.source


class BotUser:
    """The bot's user id (the `creator_id` of its contents), asked of the adapter once."""

    def __init__(self, dimelo: "dimelo_pb2_grpc.DimeloServiceAsyncStub") -> None:
        self._dimelo = dimelo
        self._user_id = ""

    async def id(self) -> str:
        if not self._user_id:
            self._user_id = (await self._dimelo.GetBotUser(dimelo_pb2.GetBotUserRequest())).user_id
        return self._user_id


class AutoSubmitted:
    """Whether a content was sent automatically (`auto_submitted`, in the REST content only), read once per
    content; the latest MAX_CONTENT_FLAGS answers are kept."""

    def __init__(self, dimelo: "dimelo_pb2_grpc.DimeloServiceAsyncStub") -> None:
        self._dimelo = dimelo
        self._flags: OrderedDict[str, bool] = OrderedDict()

    async def __call__(self, content_id: str) -> bool:
        if content_id not in self._flags:
            response = await self._dimelo.GetContent(dimelo_pb2.GetContentRequest(content_id=content_id))
            self._flags[content_id] = response.content.auto_submitted
            if len(self._flags) > MAX_CONTENT_FLAGS:
                self._flags.popitem(last=False)
        return self._flags[content_id]
