"""The frameworks' floor: what an answered follow-up costs in gRPC, FastAPI and httpx alone, with none of our code.

Per answered follow-up the bridge makes 4 gRPC calls (the customer's delivery and the bot reply's echo into the
orchestrator, the question to the AI, the reply to the adapter), takes 2 webhook requests into FastAPI (the same two
deliveries) and sends 1 request to Dimelo through httpx. Each is measured between two processes on uvloop, as our
services run: grpc.aio unary calls carrying a delivery's bytes to `bench.baselines`' echo server (no protobuf on
either side), and the same delivery POSTed through httpx, with the adapter's network layer, into `bench.baselines`'
bare FastAPI app. A client process makes the calls and reads its own CPU and its server's over the measured calls
alone (warm-up and connecting left out).

`python -m bench.framework_floor [--smoke]` prints it alone; `make bench` prints it as section 8.
"""

import argparse
import asyncio
import contextlib
import json
import resource
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import grpc
import httpx
import uvloop

from bench.baselines import ECHO_METHOD
from bench.delivery import write_template
from bench.launcher import Server, serving_baselines
from bench.plan import FULL, SMOKE, Plan
from bench.procstats import cpu_seconds
from bench.report import Section, number, render
from bench.sections import CPU_TARGET_MS
from dimelo_adapter.asyncio_network import pooled_transport

IN_FLIGHT = (1, 8)
WARM_UP_CALLS = 50  # per caller
# What an answered follow-up takes of each, and how it is printed.
ROWS = {
    "gRPC client": (4, "gRPC unary call (grpc.aio), client"),
    "gRPC server": (4, "gRPC unary call (grpc.aio), server"),
    "into FastAPI": (2, "webhook request into FastAPI (uvicorn), server"),
    "out through httpx": (1, "request out through httpx (the adapter's network layer), client"),
}
# Which process's CPU each row is, by kind of call: (row of the client, row of the server).
_KINDS = {"grpc": ("gRPC client", "gRPC server"), "http": ("out through httpx", "into FastAPI")}


async def measure(plan: Plan, workdir: Path) -> Section:
    """Starts the baselines' servers and measures each kind of call at each concurrency, a client process each."""
    body = write_template(workdir / "delivery.json")  # the acknowledgement runs' delivery, 1.3 KB
    section = Section(
        "8. The frameworks' floor: CPU per call between two processes on uvloop, none of our code",
        [f"c={c} µs" for c in IN_FLIGHT],
    )
    per_call: dict[str, list[float]] = {row: [] for row in ROWS}
    async with serving_baselines(workdir) as baselines:
        for in_flight in IN_FLIGHT:
            for kind, server in (("grpc", baselines.echo), ("http", baselines.bare)):
                client_row, server_row = _KINDS[kind]
                client, served = await _cpu_per_call(kind, server, in_flight, plan.floor_calls, body)
                per_call[client_row].append(client)
                per_call[server_row].append(served)
    for row, (_, label) in ROWS.items():
        section.add(label, *(number(seconds * 1e6) for seconds in per_call[row]))
    floors_ms = [
        sum(count * per_call[row][index] for row, (count, _) in ROWS.items()) * 1e3 for index in range(len(IN_FLIGHT))
    ]
    uses = ", ".join(f"{count} × {row}" for row, (count, _) in ROWS.items())
    section.add(
        f"per answered follow-up ({uses}), ms",
        *(number(floor, 2) for floor in floors_ms),
        target=f"left of CPU ≤ {CPU_TARGET_MS:g} ms/msg (section 2) for all our code: "
        + " to ".join(f"{CPU_TARGET_MS - floor:+.2f} ms" for floor in sorted(floors_ms, reverse=True)),
    )
    section.notes.append(
        f"{plan.floor_calls:,} calls per figure, c in flight, after {WARM_UP_CALLS} per caller to warm up; CPU from "
        "getrusage (client) and /proc (server) over the same calls; our services add their own work to each: "
        "protobuf, telemetry, the intake, the store, logging"
    )
    return section


async def _cpu_per_call(kind: str, server: Server, in_flight: int, calls: int, body: Path) -> tuple[float, float]:
    """CPU seconds per call of a client process making `calls` calls of `kind` carrying `body` to `server`, and of
    the server over the same calls."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.framework_floor",
        "--client",
        kind,
        server.url,
        str(server.pid),
        str(in_flight),
        str(calls),
        str(body),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        output, _ = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
    if process.returncode != 0:
        raise RuntimeError(f"the {kind} client exited with code {process.returncode}")
    measured = json.loads(output)
    return measured["client_seconds"] / measured["calls"], measured["server_seconds"] / measured["calls"]


async def _client(kind: str, address: str, server_pid: int, in_flight: int, calls: int, body: bytes) -> dict:
    """Makes the calls from this process: CPU seconds of this process and of the server over the measured calls."""
    async with _caller(kind, address, body) as call:

        async def caller(count: int) -> None:
            for _ in range(count):
                await call()

        await asyncio.gather(*(caller(WARM_UP_CALLS) for _ in range(in_flight)))
        own, served = _own_cpu_seconds(), cpu_seconds(server_pid)
        each = calls // in_flight
        await asyncio.gather(*(caller(each) for _ in range(in_flight)))
        own, served = _own_cpu_seconds() - own, cpu_seconds(server_pid) - served
    return {"calls": each * in_flight, "client_seconds": own, "server_seconds": served}


@contextlib.asynccontextmanager
async def _caller(kind: str, address: str, body: bytes) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """One call of `kind` to `address` carrying `body`, on one channel or one pooled client."""
    if kind == "grpc":
        async with grpc.aio.insecure_channel(address) as channel:
            echo = channel.unary_unary(ECHO_METHOD)

            async def call_grpc() -> None:
                await echo(body, timeout=10)

            yield call_grpc
        return
    limits = httpx.Limits(max_connections=32, keepalive_expiry=4)
    async with httpx.AsyncClient(transport=pooled_transport(limits), timeout=10) as http:

        async def call_http() -> None:
            (await http.post(address, content=body, headers={"Content-Type": "application/json"})).raise_for_status()

        yield call_http


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="small sizes: checks that every row is printed")
    parser.add_argument("--client", nargs=6, help=argparse.SUPPRESS)  # KIND ADDRESS SERVER_PID C CALLS BODY
    args = parser.parse_args()
    if args.client:
        kind, address, server_pid, in_flight, calls, body = args.client
        measured = uvloop.run(
            _client(kind, address, int(server_pid), int(in_flight), int(calls), Path(body).read_bytes())
        )
        print(json.dumps(measured))
        return 0
    plan = SMOKE if args.smoke else FULL
    with tempfile.TemporaryDirectory(prefix="botbridge-bench-floor-") as folder:
        section = asyncio.run(measure(plan, Path(folder)))
    print(render([], [section]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
