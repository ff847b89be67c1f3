"""`python -m orchestrator.admin`: dead letters (list, show, replay), quarantined bodies and events (list, show,
replay), a thread's history (events received, decisions, Dimelo calls and their results).

It reads the store the orchestrator uses (same ORCHESTRATOR_DB_PATH / ORCHESTRATOR_DATABASE_URL settings, and
BOT_SOURCE_IDS for a replay of quarantined events); a running orchestrator picks replayed events up at once on
PostgreSQL (NOTIFY), within STORE_POLL_SECONDS (30 s) on SQLite.
"""

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime

from google.protobuf.json_format import MessageToDict

from botbridge.orchestrator.v1 import orchestrator_pb2 as pb
from orchestrator.conversation_view import render_thread
from orchestrator.database import Database
from orchestrator.intake import Intake
from orchestrator.settings import Handback, IntakeSettings
from orchestrator.store import DEAD, Store
from service_kit.webhook_delivery import NotADelivery, delivery_request


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m orchestrator.admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dead-letters", help="list dead letters with their reason")
    show = commands.add_parser("show", help="show a stored event: its JSON, state and reason")
    show.add_argument("event_id")
    replay = commands.add_parser("replay", help="put a dead letter back in the queue")
    replay.add_argument("event_id")
    commands.add_parser("quarantine", help="list webhook bodies and events that could not be read or stored")
    show_quarantined = commands.add_parser("show-quarantined", help="show a quarantined body and why it was kept")
    show_quarantined.add_argument("quarantine_id")
    replay_quarantined = commands.add_parser(
        "replay-quarantined", help="feed a quarantined body back into intake (e.g. after an upgrade that reads it)"
    )
    replay_quarantined.add_argument("quarantine_id")
    thread = commands.add_parser(
        "thread", help="a thread's history: events received, decisions and why, Dimelo calls and their results"
    )
    thread.add_argument("thread_id")
    thread.add_argument(
        "--bodies", action="store_true", help="also show the messages, answers and AI explanations (customer data)"
    )
    return parser


async def run(args: argparse.Namespace, store: Store, settings: IntakeSettings) -> int:
    if args.command == "dead-letters":
        for record, thread_id in await store.event_records(DEAD):
            print(f"{record.event_id}  {record.type}  thread {thread_id}  attempts {record.attempts}  {record.outcome}")
    elif args.command == "show":
        event = await store.stored_event(args.event_id)
        if event is None:
            print(f"no event {args.event_id}", file=sys.stderr)
            return 1
        [record] = [r for r in await store.thread_events(event.content.thread_id) if r.event_id == args.event_id]
        print(
            json.dumps(
                {
                    "state": record.state,
                    "outcome": record.outcome,
                    "attempts": record.attempts,
                    "event": MessageToDict(event),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    elif args.command == "replay":
        if not await store.replay(args.event_id):
            print(f"{args.event_id} is not a dead letter", file=sys.stderr)
            return 1
        print(f"{args.event_id} queued again")
    elif args.command == "quarantine":
        for quarantine_id, reason, received_at, body in await store.quarantined():
            print(f"{quarantine_id}  {_time(received_at)}  {reason}  ({len(body)} bytes)")
    elif args.command == "show-quarantined":
        item = await store.quarantined_item(args.quarantine_id)
        if item is None:
            print(f"no quarantined item {args.quarantine_id}", file=sys.stderr)
            return 1
        reason, received_at, body = item
        print(f"{args.quarantine_id}  {_time(received_at)}  {reason}  ({len(body)} bytes)")
        print(body.decode("utf-8", "backslashreplace"))
    elif args.command == "replay-quarantined":
        return await _replay_quarantined(args.quarantine_id, store, settings)
    elif args.command == "thread":
        print(await render_thread(store, args.thread_id, args.bodies))
    return 0


async def _replay_quarantined(quarantine_id: str, store: Store, settings: IntakeSettings) -> int:
    """Parses the body again and takes it in as the gateway would; the item is dropped once its events are kept
    (those still unreadable are quarantined again, under new ids)."""
    item = await store.quarantined_item(quarantine_id)
    if item is None:
        print(f"no quarantined item {quarantine_id}", file=sys.stderr)
        return 1
    try:
        request = delivery_request(item[2])
    except NotADelivery as refused:
        print(f"{quarantine_id} is still not a delivery: {refused}", file=sys.stderr)
        return 1
    intake = Intake(
        store,
        settings.bot_source_ids,
        settings.ordering_window_seconds,
        on_pending=lambda: None,
        handback=settings.handback is Handback.ON,
        hold_max_seconds=settings.ordering_window_max_seconds,
    )
    answer = await intake.take_in(request)
    await store.drop_quarantined(quarantine_id)
    for receipt in answer.receipts:
        disposition = pb.EventDisposition.Name(receipt.disposition).removeprefix("EVENT_DISPOSITION_").lower()
        again = f" as {receipt.quarantine_id}" if receipt.quarantine_id else ""
        print(f"{receipt.event_id}  {disposition}{again}")
    for unreadable, again in zip(request.quarantine, answer.quarantine_ids, strict=True):
        print(f"quarantined again as {again}: {unreadable.reason}")
    return 0


def _time(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="seconds")


async def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    settings = IntakeSettings()
    database = await Database.open(settings.orchestrator_db_path, settings.orchestrator_database_url.get_secret_value())
    store = await Store.open(database, settings.lease_seconds)
    try:
        return await run(args, store, settings)
    finally:
        await store.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
