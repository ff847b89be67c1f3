"""The frameworks' floor: what an answered follow-up costs in gRPC, FastAPI and httpx alone, with none of our code.

Per answered follow-up the bridge makes 4 gRPC calls (the customer's delivery and the bot reply's echo into the
orchestrator, the question to the AI, the reply to the adapter), takes 2 webhook requests into FastAPI (the same two
deliveries) and sends 1 request to Dimelo through httpx. Each is measured between two processes on uvloop, as our
services run: grpc.aio unary calls carrying a delivery to `bench.baselines`' echo server (the client's and the
server's CPU), and the same delivery POSTed through httpx, with the adapter's network layer, into `bench.baselines`'
bare FastAPI app (the server's CPU for "into FastAPI", the client's for "out through httpx").

`python -m bench.framework_floor [--smoke]` prints it alone; `make bench` prints it as section 8.
"""

import argparse
import asyncio
import json
import resource
import sys
import tempfile
from pathlib import Path

import grpc
import httpx
import uvloop

from bench.acknowledgement import serving_baselines
from bench.baselines import ECHO_METHOD
from bench.delivery import write_template
from bench.plan import FULL, SMOKE, Plan
from bench.procstats import cpu_seconds
from bench.report import Section, number, render
from bench.sections import CPU_TARGET_MS
from dimelo_adapter.asyncio_network import pooled_transport

CONCURRENCY = (1, 8)
WARM_UP_CALLS = 50
# Per answered follow-up: (what, how many).
PER_FOLLOW_UP = {"grpc": 4, "into FastAPI": 2, "out through httpx": 1}


async def measure(plan: Plan, workdir: Path) -> Section:
    """Starts the baselines' servers and measures each kind of call at each concurrency, a client process each."""
    body = write_template(workdir / "delivery.json")  # the acknowledgement runs' delivery, 1.3 KB
    section = Section(
        "8. The frameworks' floor: CPU per call between two processes on uvloop, none of our code",
        [f"c={c} µs" for c in CONCURRENCY],
    )
    per_call: dict[str, list[float]] = {kind: [] for kind in PER_FOLLOW_UP}
    async with serving_baselines(workdir) as baselines:
        for connections in CONCURRENCY:
            client, server = await _calls("grpc", baselines.echo, connections, plan.floor_calls, body)
            per_call["grpc"].append(client + server)
            client, server = await _calls("http", baselines.bare, connections, plan.floor_calls, body)
            per_call["into FastAPI"].append(server)
            per_call["out through httpx"].append(client)
    labels = {
        "grpc": "gRPC unary call (grpc.aio), client + server",
        "into FastAPI": "webhook request into FastAPI (uvicorn), server",
        "out through httpx": "request out through httpx (the adapter's network layer), client",
    }
    for kind, label in labels.items():
        section.add(label, *(number(seconds * 1e6) for seconds in per_call[kind]))
    floors_ms = [
        sum(count * per_call[kind][index] for kind, count in PER_FOLLOW_UP.items()) * 1e3
        for index in range(len(CONCURRENCY))
    ]
    section.add(
        "per answered follow-up: 4 gRPC calls, 2 webhook requests in, 1 request out (ms)",
        *(number(floor, 2) for floor in floors_ms),
        target=f"CPU ≤ {CPU_TARGET_MS:g} ms/msg (section 2) leaves {CPU_TARGET_MS - max(floors_ms):.2f}–"
        f"{CPU_TARGET_MS - min(floors_ms):.2f} ms for all our code",
    )
    section.notes.append(
        f"{plan.floor_calls:,} calls per figure after {WARM_UP_CALLS} to warm up, c concurrent; CPU from /proc "
        "(server) and getrusage (client); our services add their own work to each: telemetry, the intake, the "
        "store, logging"
    )
    return section


async def _calls(kind: str, server: tuple[str, int], connections: int, calls: int, body: Path) -> tuple[float, float]:
    """CPU seconds per call of a client process making `calls` calls of `kind` carrying `body` to `server` (address,
    pid), and of the server over the same calls."""
    address, pid = server
    before = cpu_seconds(pid)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.framework_floor",
        "--client",
        kind,
        address,
        str(connections),
        str(calls),
        str(body),
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the {kind} client exited with code {process.returncode}")
    answered = json.loads(output)
    return answered["client_seconds"] / calls, (cpu_seconds(pid) - before) / (calls + WARM_UP_CALLS * connections)


async def _client(kind: str, address: str, connections: int, calls: int, body: bytes) -> float:
    """Makes the calls from this process; returns its CPU seconds over the measured ones (warm-up left out)."""
    if kind == "grpc":
        channel = grpc.aio.insecure_channel(address)
        echo = channel.unary_unary(ECHO_METHOD)

        async def call() -> None:
            await echo(body, timeout=10)

    else:
        limits = httpx.Limits(max_connections=32, keepalive_expiry=4)
        http = httpx.AsyncClient(transport=pooled_transport(limits), timeout=10)

        async def call() -> None:
            (await http.post(address, content=body, headers={"Content-Type": "application/json"})).raise_for_status()

    async def caller(count: int) -> None:
        for _ in range(count):
            await call()

    await asyncio.gather(*(caller(WARM_UP_CALLS) for _ in range(connections)))
    started = _own_cpu_seconds()
    await asyncio.gather(*(caller(calls // connections) for _ in range(connections)))
    return _own_cpu_seconds() - started


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that every row is printed")
    parser.add_argument("--client", nargs=5, metavar=("KIND", "ADDRESS", "C", "CALLS", "BODY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        kind, address, connections, calls, body = args.client
        seconds = uvloop.run(_client(kind, address, int(connections), int(calls), Path(body).read_bytes()))
        print(json.dumps({"client_seconds": seconds}))
        return 0
    plan = SMOKE if args.smoke else FULL
    with tempfile.TemporaryDirectory(prefix="botbridge-bench-floor-") as folder:
        section = asyncio.run(measure(plan, Path(folder)))
    print(render([], [section]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
