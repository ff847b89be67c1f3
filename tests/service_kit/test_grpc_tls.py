"""TLS and mutual TLS on gRPC servers and channels, with certificates made at test time: GrpcServer.bind and
peer_channel from GrpcTlsSettings, then every service of the bridge started by its own factory with mutual TLS."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import ValidationError

from ai_service.server import create_server as create_ai
from ai_service.settings import AiSettings
from dimelo_adapter.server import create_server as create_adapter
from dimelo_adapter.settings import AdapterSettings
from gateway.app import create_app
from gateway.settings import GatewaySettings
from orchestrator.server import create_server as create_orchestrator
from orchestrator.settings import Settings
from service_kit.grpc_client import peer_channel
from service_kit.grpc_server import GrpcServer
from service_kit.grpc_tls import GrpcTlsSettings
from tests.tls_certificates import Certificates, make_certificates

SERVING = health_pb2.HealthCheckResponse.SERVING


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certificates"))


def tls(certificates: Certificates, client_auth: bool = False, **files: Path | None) -> GrpcTlsSettings:
    values = {"cert": certificates.cert, "key": certificates.key, "ca": certificates.ca, **files}
    return GrpcTlsSettings(
        grpc_tls_cert_file=values["cert"],
        grpc_tls_key_file=values["key"],
        grpc_tls_ca_file=values["ca"],
        grpc_tls_client_auth=client_auth,
    )


async def health(target: str, settings: GrpcTlsSettings | None) -> int | grpc.StatusCode:
    """The overall health status seen through peer_channel(target, tls=settings), or the call's error code."""
    async with peer_channel(target, default_timeout=3, tls=settings) as channel:
        try:
            request = health_pb2.HealthCheckRequest()
            reply = await health_pb2_grpc.HealthStub(channel).Check(request, wait_for_ready=False)
        except grpc.aio.AioRpcError as error:
            return error.code()
    return reply.status


@pytest.fixture
async def start_server() -> AsyncIterator:
    servers: list[GrpcServer] = []

    async def start(settings: GrpcTlsSettings) -> str:
        server = GrpcServer([])
        port = server.bind("127.0.0.1:0", settings)
        await server.start()
        servers.append(server)
        return f"localhost:{port}"

    yield start
    for server in servers:
        await server.stop(0)


async def test_tls_server_and_channel(start_server, certificates: Certificates) -> None:
    # In: a server with a certificate (no client auth). Out: a channel trusting its CA gets SERVING; a plaintext
    # channel and a channel trusting another CA (the stranger's certificate as CA) get UNAVAILABLE.
    target = await start_server(tls(certificates, ca=None))
    assert await health(target, tls(certificates, cert=None, key=None)) == SERVING
    assert await health(target, None) == grpc.StatusCode.UNAVAILABLE
    assert await health(target, tls(certificates, cert=None, key=None, ca=certificates.stranger_cert)) == (
        grpc.StatusCode.UNAVAILABLE
    )


async def test_mutual_tls_takes_only_clients_with_a_certificate_from_the_ca(start_server, certificates) -> None:
    # In: a server requiring client certificates signed by the CA. Out: SERVING for a channel presenting the
    # service certificate; UNAVAILABLE without a client certificate, with the stranger's, or in plaintext.
    target = await start_server(tls(certificates, client_auth=True))
    assert await health(target, tls(certificates)) == SERVING
    assert await health(target, tls(certificates, cert=None, key=None)) == grpc.StatusCode.UNAVAILABLE
    stranger = tls(certificates, cert=certificates.stranger_cert, key=certificates.stranger_key)
    assert await health(target, stranger) == grpc.StatusCode.UNAVAILABLE
    assert await health(target, None) == grpc.StatusCode.UNAVAILABLE


@pytest.mark.parametrize(
    "files", [{"grpc_tls_cert_file": "c.pem"}, {"grpc_tls_key_file": "k.pem"}, {"grpc_tls_client_auth": True}]
)
def test_incomplete_tls_settings_are_refused(files: dict) -> None:
    # In: a certificate without its key, a key alone, client auth without files. Out: refused at start.
    with pytest.raises(ValidationError):
        GrpcTlsSettings(**files)


async def test_every_service_talks_mutual_tls(tmp_path: Path, certificates: Certificates) -> None:
    # In: the AI service, the Dimelo adapter, the orchestrator and the gateway, each from its own settings with the
    # same mutual-TLS files. Out: the orchestrator turns SERVING (its readiness calls the AI and the adapter over
    # its TLS channels), the gateway is ready and stores a delivery through its TLS channel to the orchestrator;
    # a plaintext client is refused by every server.
    files = {
        "grpc_tls_cert_file": certificates.cert,
        "grpc_tls_key_file": certificates.key,
        "grpc_tls_ca_file": certificates.ca,
        "grpc_tls_client_auth": True,
    }
    async with AsyncExitStack() as stack:
        ai = await create_ai(AiSettings(listen_addr="127.0.0.1:0", **files))
        await ai.start()
        stack.push_async_callback(ai.stop, 0)
        adapter = await create_adapter(
            AdapterSettings(
                dimelo_api_url="http://127.0.0.1:9", dimelo_access_token="t", adapter_listen_addr="127.0.0.1:0", **files
            )
        )
        await adapter.start()
        stack.push_async_callback(adapter.stop, 0)
        orchestrator = await create_orchestrator(
            Settings(
                orchestrator_listen_addr="127.0.0.1:0",
                ai_addr=f"localhost:{ai.port}",
                dimelo_adapter_addr=f"localhost:{adapter.port}",
                orchestrator_db_path=tmp_path / "o.sqlite3",
                agent_category_ids=["agents"],
                readiness_interval_seconds=0.1,
                **files,
            )
        )
        await orchestrator.start()
        stack.push_async_callback(orchestrator.stop)
        orchestrator_target = f"localhost:{orchestrator.port}"
        assert await health(orchestrator_target, GrpcTlsSettings(**files)) == SERVING

        settings = GatewaySettings(verify_token="v", webhook_secret="s", orchestrator_addr=orchestrator_target, **files)
        app = create_app(settings)
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gateway.test")
        )
        assert (await client.get("/readyz")).status_code == 200
        delivery = {"id": "d", "events": [{"id": "e-1", "type": "survey_response.imported"}]}
        answer = await client.post("/dimelo/webhook", json=delivery, headers={"X-Dimelo-Secret": "s"})
        assert (answer.status_code, answer.json()["accepted"]) == (200, 1)

        for port in (ai.port, adapter.port, orchestrator.port):
            assert await health(f"localhost:{port}", None) == grpc.StatusCode.UNAVAILABLE
