"""HTTP load on a webhook endpoint at a fixed concurrency for a fixed time: wrk, or an asyncio generator without it.

Both send the same requests (a delivery template with a fresh delivery id and event id in every request) over
kept-alive connections, closed loop: each connection sends its next request when the previous answer arrives.
"""

import asyncio
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.stats import percentile

WRK_SCRIPT = Path(__file__).with_name("webhook_post.lua")
DELIVERY_ID, EVENT_ID = "__DELIVERY_ID__", "__EVENT_ID__"
_WRK_RESULT = re.compile(r"BENCH_RESULT (.*)")
_SLACK_SECONDS = 30.0


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class WebhookTarget:
    """An endpoint to load and what to send it."""

    url: str
    template: Path
    secret: str


async def run_wrk(target: WebhookTarget, connections: int, seconds: float, tag: str) -> LoadResult:
    """One wrk run (one thread, `connections` connections); raises RuntimeError when wrk reports nothing."""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        target.url,
        "--",
        str(target.template),
        tag,
    ]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "BENCH_SECRET": target.secret},
    )
    out, err = await asyncio.wait_for(process.communicate(), seconds + _SLACK_SECONDS)
    found = _WRK_RESULT.search(out.decode(errors="replace"))
    if found is None:
        raise RuntimeError(f"wrk printed no result (exit {process.returncode}): {err.decode(errors='replace')[:300]}")
    values = dict(item.split("=") for item in found.group(1).split())
    return LoadResult(
        requests=int(values["requests"]),
        errors=int(values["errors"]),
        seconds=int(values["duration_us"]) / 1e6,
        p50_ms=int(values["p50_us"]) / 1000,
        p99_ms=int(values["p99_us"]) / 1000,
    )


async def run_asyncio(target: WebhookTarget, connections: int, seconds: float, tag: str) -> LoadResult:
    """The same load from this process: raw HTTP/1.1 on asyncio streams (slower than wrk, and it shares the CPU)."""
    url = urlsplit(target.url)
    template = target.template.read_text(encoding="utf-8")
    head = (
        f"POST {url.path or '/'} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
        f"X-Dimelo-Secret: {target.secret}\r\n"
    )
    latencies: list[float] = []
    errors = 0
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + seconds

    async def connection(number: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        try:
            for sent in range(10**9):
                if loop.time() >= deadline:
                    return
                unique = f"{tag}-{number}-{sent}"
                body = template.replace(DELIVERY_ID, f"d-{unique}").replace(EVENT_ID, f"e-{unique}").encode()
                begun = time.perf_counter()
                writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
                status = await _read_answer(reader)
                latencies.append(time.perf_counter() - begun)
                errors += status != 200
        finally:
            writer.close()

    await asyncio.wait_for(asyncio.gather(*(connection(n) for n in range(connections))), seconds + _SLACK_SECONDS)
    elapsed = loop.time() - started
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return LoadResult(len(latencies), errors, elapsed, p50, p99)


async def _read_answer(reader: asyncio.StreamReader) -> int:
    """Reads one HTTP/1.1 answer with a Content-Length body; returns its status."""
    status_line = await reader.readline()
    length = 0
    for _ in range(100):
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status_line.split()[1])
