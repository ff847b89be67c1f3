"""Store commits: deliveries stored concurrently in the SQLite store (`Store.accept`), with no gRPC or HTTP around.

`.venv/bin/python -m bench.store_commits [--seconds S]` prints one section: at each concurrency, a closed loop of
callers each storing a one-event delivery (a customer's message) and starting the next when it returns, for S
seconds: deliveries/s and p50/p99 of one `accept`; then fsyncs per delivery, counted by strace (attached to this
process) over a separate pass of the same load, since tracing slows what it traces.
"""

import argparse
import asyncio
import itertools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bench.report import Section, number, render
from bench.stats import percentile
from botbridge.events.v1 import events_pb2
from orchestrator.database import Database
from orchestrator.store import Store
from orchestrator.store.intake_queue import due_at_once

CONCURRENCY = (1, 8, 64)
TRACED_DELIVERIES = 2_000
# A row of strace's summary (-c) for fsync or fdatasync: % time, seconds, usecs/call, calls, [errors,] syscall.
_STRACE_SYNC_ROW = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(?:data)?sync$", re.MULTILINE)
_ids = itertools.count()


def delivery() -> list[events_pb2.Event]:
    """One customer message, with fresh ids."""
    number_ = next(_ids)
    event = events_pb2.Event(id=f"event-{number_}", type="content.imported")
    event.content.id, event.content.thread_id, event.content.body = f"content-{number_}", f"thread-{number_ % 97}", "hi"
    event.issued_at.GetCurrentTime()
    return [event]


async def closed_loop(store: Store, callers: int, until: float, latencies: list[float], limit: int = 0) -> int:
    """`callers` callers storing deliveries back to back until `until` (monotonic), or `limit` deliveries in all."""
    done = 0

    async def caller() -> None:
        nonlocal done
        while time.monotonic() < until and (not limit or done < limit):
            started = time.perf_counter()
            await store.accept(delivery(), f"delivery-{next(_ids)}", due_at_once)
            latencies.append((time.perf_counter() - started) * 1000)
            done += 1

    await asyncio.gather(*(caller() for _ in range(callers)))
    return done


async def fsyncs_during(store: Store, callers: int, deliveries: int) -> int | None:
    """fsync and fdatasync calls of this process while `deliveries` are stored by `callers` callers (strace -c);
    None when strace is missing or could not attach (it counts none, where every commit syncs)."""
    if shutil.which("strace") is None:
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as summary:
        tracer = await asyncio.create_subprocess_exec(
            *("strace", "-f", "-qq", "-c", "-e", "trace=fsync,fdatasync", "-o", summary.name, "-p", str(os.getpid())),
            stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(1.0)  # strace attaches to every thread
        await closed_loop(store, callers, time.monotonic() + 600, [], limit=deliveries)
        tracer.send_signal(signal.SIGINT)
        await tracer.wait()
        counts = [int(m.group(1)) for m in _STRACE_SYNC_ROW.finditer(summary.read())]
    return sum(counts) or None


async def measure(seconds: float, folder: Path) -> Section:
    section = Section(
        f"Store commits: concurrent Store.accept on SQLite (WAL, synchronous=FULL), {seconds:g} s per run, closed loop",
        ["deliveries/s", "p50 ms", "p99 ms", "fsyncs/delivery"],
    )
    database = await Database.open(folder / "store.sqlite3")
    store = await Store.open(database, lease_seconds=30)
    try:
        await closed_loop(store, 8, time.monotonic() + 1.0, [])  # warm-up
        for callers in CONCURRENCY:
            latencies: list[float] = []
            started = time.monotonic()
            done = await closed_loop(store, callers, started + seconds, latencies)
            rate = done / (time.monotonic() - started)
            traced = min(TRACED_DELIVERIES, done)
            fsyncs = await fsyncs_during(store, callers, traced)
            section.add(
                f"c={callers:<3}",
                number(rate),
                number(percentile(latencies, 50), 2),
                number(percentile(latencies, 99), 2),
                "n/a" if fsyncs is None else number(fsyncs / traced, 2),
            )
    finally:
        await store.close()
    section.notes.append(
        "each delivery: one content.imported event, stored pending in one transaction, as the intake does; "
        f"fsyncs counted by strace over a further {TRACED_DELIVERIES:,} deliveries (or the run's count if fewer); "
        "n/a: no strace, or it may not trace this process"
    )
    return section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per concurrency (default 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="botbridge-store-commits-") as folder:
        section = asyncio.run(measure(args.seconds, Path(folder)))
    print(render([f"botbridge store commits, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC"], [section]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
