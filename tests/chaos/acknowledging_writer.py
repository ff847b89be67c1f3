"""`python -m tests.chaos.acknowledging_writer STORE_PATH`: 64 callers storing one-event deliveries in a SQLite
store (Store.accept) back to back, forever; each prints its event's id once accept returned, i.e. acknowledged."""

import asyncio
import sys
from pathlib import Path

from botbridge.events.v1 import events_pb2
from orchestrator.database import Database
from orchestrator.store import Store
from orchestrator.store.intake_queue import due_at_once

CALLERS = 64


async def caller(store: Store, number: int) -> None:
    sent = 0
    while True:
        event = events_pb2.Event(id=f"event-{number}-{sent}", type="content.imported")
        event.content.id, event.content.thread_id = f"content-{number}-{sent}", f"thread-{number}"
        await store.accept([event], f"delivery-{number}-{sent}", due_at_once)
        print(event.id, flush=True)
        sent += 1


async def main(path: Path) -> None:
    store = await Store.open(await Database.open(path), lease_seconds=30)
    await asyncio.gather(*(caller(store, number) for number in range(CALLERS)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
