"""Sources and their channels, read through the adapter once and kept: they change rarely."""

import time

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc

TTL_SECONDS = 300.0


class SourceDirectory:
    """A cache of GetSource answers, each kept for TTL_SECONDS."""

    def __init__(self, dimelo: dimelo_pb2_grpc.DimeloServiceStub) -> None:
        self._dimelo = dimelo
        self._cache: dict[str, tuple[float, dimelo_pb2.Source]] = {}

    async def get(self, source_id: str) -> dimelo_pb2.Source:
        cached = self._cache.get(source_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        response = await self._dimelo.GetSource(dimelo_pb2.GetSourceRequest(source_id=source_id))
        self._cache[source_id] = (time.monotonic() + TTL_SECONDS, response.source)
        return response.source
