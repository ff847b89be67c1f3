"""Liveness and readiness: /healthz while the process runs, /readyz only while the orchestrator is SERVING."""

import socket

import httpx


async def test_liveness_is_200(gateway: httpx.AsyncClient) -> None:
    # In: GET /healthz. Out: 200.
    assert (await gateway.get("/healthz")).status_code == 200


async def test_readiness_follows_the_orchestrator_health(gateway: httpx.AsyncClient, orchestrator_server) -> None:
    # In: GET /readyz while the orchestrator reports SERVING, then NOT_SERVING, then SERVING again.
    # Out: 200, then 503 naming NOT_SERVING, then 200.
    _, server = orchestrator_server
    assert (await gateway.get("/readyz")).status_code == 200
    await server.set_serving(False)
    response = await gateway.get("/readyz")
    assert response.status_code == 503
    assert response.json()["orchestrator"] == "NOT_SERVING"
    await server.set_serving(True)
    assert (await gateway.get("/readyz")).status_code == 200


async def test_readiness_is_503_when_the_orchestrator_is_unreachable(open_gateway, settings) -> None:
    # In: GET /readyz with nothing listening at ORCHESTRATOR_ADDR. Out: 503, while /healthz stays 200.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        addr = f"127.0.0.1:{closed.getsockname()[1]}"
        gateway = await open_gateway(settings.model_copy(update={"orchestrator_addr": addr}))
        assert (await gateway.get("/readyz")).status_code == 503
        assert (await gateway.get("/healthz")).status_code == 200
