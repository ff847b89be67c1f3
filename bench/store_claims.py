"""Store claims: replicas draining one PostgreSQL store's queue together (`Store.claim_next` and `finish`), with
nothing else around.

`.venv/bin/python -m bench.store_claims [--postgres-url URL]` prints one section: for 1, 2 and 4 replicas (each a
Store with its own pool), a queue of 2,000 pending events over 200 threads (10 each) in a fresh schema, drained by
every replica claiming up to 8 threads at a time and finishing what it claimed: events/s, p50/p99 of one claim,
and the share of claims that came back empty while work was left (replicas getting in each other's way).
"""

import argparse
import asyncio
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg

from bench.report import Section, number, render
from bench.stats import percentile
from botbridge.events.v1 import events_pb2
from orchestrator.database import Database
from orchestrator.store import DONE, Store
from orchestrator.store.intake_queue import due_at_once

REPLICAS = (1, 2, 4)
THREADS, EVENTS_PER_THREAD, CLAIM_LIMIT = 200, 10, 8


def queue() -> list[events_pb2.Event]:
    """The events to drain: EVENTS_PER_THREAD per thread, issued in order."""
    events = []
    for number_ in range(THREADS * EVENTS_PER_THREAD):
        event = events_pb2.Event(id=f"event-{number_}", type="content.imported")
        event.content.id, event.content.thread_id = f"content-{number_}", f"thread-{number_ % THREADS}"
        event.issued_at.FromMicroseconds(number_)
        events.append(event)
    return events


async def drain(store: Store, left: list[int], claims: list[float], empty: list[int]) -> None:
    """Claims and finishes until nothing is left (`left`: events not finished yet, shared by the replicas)."""
    while left[0] > 0:
        started = time.perf_counter()
        batch = await store.claim_next([], CLAIM_LIMIT)
        claims.append((time.perf_counter() - started) * 1000)
        if not batch:
            empty[0] += 1
            await asyncio.sleep(0.001)
            continue
        await asyncio.gather(*(store.finish(stored.event.id, DONE, "benched", stored.lease) for stored in batch))
        left[0] -= len(batch)


async def run(server_url: str, replicas: int) -> tuple[float, list[float], int]:
    """Events/s, claim times (ms) and empty claims of `replicas` replicas draining a fresh queue."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    url = f"{server_url}{'&' if '?' in server_url else '?'}options={quote(f'-csearch_path={schema}')}"
    stores = [await Store.open(await Database.open(Path(), url), 30, f"replica-{n}") for n in range(replicas)]
    try:
        events = queue()
        for start in range(0, len(events), 100):
            chunk = events[start : start + 100]
            await stores[0].accept(chunk, f"delivery-{start}", due_at_once)
        left, claims, empty = [len(events)], [], [0]
        started = time.perf_counter()
        await asyncio.gather(*(drain(store, left, claims, empty) for store in stores))
        return len(events) / (time.perf_counter() - started), claims, empty[0]
    finally:
        for store in stores:
            await store.close()
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


async def measure(server_url: str) -> Section:
    section = Section(
        f"Store claims: replicas draining {THREADS * EVENTS_PER_THREAD:,} events over {THREADS} threads on PostgreSQL",
        ["events/s", "claim p50 ms", "claim p99 ms", "empty claims %"],
    )
    for replicas in REPLICAS:
        rate, claims, empty = await run(server_url, replicas)
        section.add(
            f"{replicas} replica(s)",
            number(rate),
            number(percentile(claims, 50), 2),
            number(percentile(claims, 99), 2),
            number(100 * empty / len(claims), 1),
        )
    section.notes.append(
        f"each replica claims up to {CLAIM_LIMIT} threads at a time and finishes them before claiming again; an "
        "empty claim is one that found nothing it could take while events were left"
    )
    return section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test", help="the server")
    args = parser.parse_args()
    section = asyncio.run(measure(args.postgres_url))
    print(render([f"botbridge store claims, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC"], [section]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
