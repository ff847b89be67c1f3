"""What a service opened for its servicers is closed with its gRPC server, after the stop (closing at once when
the server cannot bind: tests/dimelo_adapter/test_adapter_server.py)."""

from contextlib import asynccontextmanager

from service_kit.grpc_server import GrpcServer


async def test_what_was_opened_is_closed_only_once_the_server_has_stopped() -> None:
    # In: a resource handed to close_on_stop, the server started then stopped. Out: still open while serving,
    # closed after the stop, and closed once.
    events = []

    @asynccontextmanager
    async def resource():
        yield
        events.append("closed")

    server = GrpcServer([])
    server.bind("127.0.0.1:0")
    opened = resource()
    await opened.__aenter__()
    server.close_on_stop(opened)
    await server.start()
    assert events == []
    await server.stop(0)
    assert events == ["closed"]
