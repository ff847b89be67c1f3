"""deploy/docker/healthcheck.py, the compose healthcheck baked into the image, run as a process (as Docker runs it)
against real servers on loopback: exit 0 only for a SERVING gRPC health check or an HTTP 200."""

import asyncio
import os
import sys
from collections.abc import AsyncIterator

import pytest

from service_kit.grpc_server import GrpcServer
from service_kit.grpc_tls import GrpcTlsSettings
from tests.tls_certificates import make_certificates

from .tooling import DEPLOY

PROBE = DEPLOY / "docker" / "healthcheck.py"


async def probe(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Runs the probe with this interpreter (the image runs it with the same dependencies), with `env` added to the
    environment; exit code and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(PROBE),
        *args,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    return process.returncode, stderr.decode()


@pytest.fixture
async def grpc_server() -> AsyncIterator[GrpcServer]:
    server = GrpcServer(["botbridge.test.v1.TestService"])
    server.bind("127.0.0.1:0")
    await server.start()
    yield server
    await server.stop(0)


@pytest.fixture
async def http_server() -> AsyncIterator[tuple[str, dict]]:
    """A loopback HTTP server answering every request with the status in the returned dict (200 at first)."""
    answer = {"status": 200}

    async def respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(f"HTTP/1.1 {answer['status']} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(respond, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/readyz", answer
    server.close()
    await server.wait_closed()


async def test_grpc_serving_is_healthy_and_not_serving_is_not(grpc_server: GrpcServer) -> None:
    """In: a gRPC server SERVING, then NOT_SERVING (draining). Out: exit 0, then 1 naming the status."""
    assert await probe("grpc", f"127.0.0.1:{grpc_server.port}") == (0, "")
    await grpc_server.set_serving(False)
    code, reason = await probe("grpc", f"127.0.0.1:{grpc_server.port}")
    assert code == 1 and "NOT_SERVING" in reason


async def test_grpc_with_nothing_listening_is_unhealthy(http_server: tuple[str, dict]) -> None:
    """In: an address where no gRPC server answers. Out: exit 1 with the gRPC error."""
    code, reason = await probe("grpc", "127.0.0.1:1")
    assert code == 1 and "UNAVAILABLE" in reason


async def test_grpc_over_mutual_tls_is_probed_with_the_services_certificates(tmp_path) -> None:
    """In: a gRPC server requiring mutual TLS; the probe with the service's GRPC_TLS_* in its environment, then
    without. Out: exit 0, then 1 (a plaintext probe is refused)."""
    certificates = make_certificates(tmp_path)
    env = {
        "GRPC_TLS_CERT_FILE": str(certificates.cert),
        "GRPC_TLS_KEY_FILE": str(certificates.key),
        "GRPC_TLS_CA_FILE": str(certificates.ca),
        "GRPC_TLS_CLIENT_AUTH": "true",
    }
    server = GrpcServer(["botbridge.test.v1.TestService"])
    port = server.bind("127.0.0.1:0", GrpcTlsSettings(**{name.lower(): value for name, value in env.items()}))
    await server.start()
    try:
        assert await probe("grpc", f"localhost:{port}", env=env) == (0, "")
        code, reason = await probe("grpc", f"localhost:{port}")
        assert code == 1 and "UNAVAILABLE" in reason
    finally:
        await server.stop(0)


async def test_http_200_is_healthy_and_503_is_not(http_server: tuple[str, dict]) -> None:
    """In: a URL answering 200, then 503. Out: exit 0, then 1 naming the status."""
    url, answer = http_server
    assert await probe("http", url) == (0, "")
    answer["status"] = 503
    code, reason = await probe("http", url)
    assert code == 1 and "503" in reason


async def test_a_wrong_invocation_prints_the_usage() -> None:
    """In: an unknown kind of check. Out: exit 1 with the usage line."""
    code, reason = await probe("tcp", "localhost:1")
    assert code == 1 and reason.startswith("usage: botbridge-healthcheck")
