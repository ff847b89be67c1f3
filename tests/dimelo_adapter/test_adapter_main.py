"""`python -m dimelo_adapter` serves until SIGTERM, logs JSON lines, and never writes the token."""

import asyncio
import json
import os
import signal
import sys

import grpc
import httpx
from adapter_testkit import TOKEN
from grpc_health.v1 import health_pb2, health_pb2_grpc

STARTUP_SECONDS = 20
MAX_STARTUP_LINES = 50


async def test_the_process_serves_then_stops_cleanly_on_sigterm():
    """In: the module run with its environment, then SIGTERM. Out: a JSON "serving" line with the port, health
    SERVING on it, metrics on the port logged as metrics_port, exit code 0, and no token in anything it wrote."""
    environment = {
        **os.environ,
        "DIMELO_API_URL": "http://127.0.0.1:9",
        "DIMELO_ACCESS_TOKEN": TOKEN,
        "ADAPTER_LISTEN_ADDR": "127.0.0.1:0",
        "ADAPTER_GRACE_SECONDS": "1",
        "METRICS_PORT": "0",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dimelo_adapter", env=environment, stderr=asyncio.subprocess.PIPE
    )
    try:
        lines = []
        for _ in range(MAX_STARTUP_LINES):
            line = await asyncio.wait_for(process.stderr.readline(), STARTUP_SECONDS)
            lines.append(line.decode())
            if not line or "port" in json.loads(line):
                break
        assert lines[-1], f"the adapter stopped before serving: {''.join(lines)}"
        port = json.loads(lines[-1])["port"]
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            answer = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
        [metrics_port] = [json.loads(line)["metrics_port"] for line in lines if "metrics_port" in json.loads(line)]
        async with httpx.AsyncClient() as http:
            metrics = await http.get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert "grpc_server_handled_total" in metrics.text

        process.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(process.stderr.read(), STARTUP_SECONDS)
        assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    output = "".join(lines) + rest.decode()
    assert json.loads(lines[-1])["service"] == "dimelo_adapter"
    assert "draining" in output
    assert TOKEN not in output
    assert TOKEN not in metrics.text
