"""`python -m orchestrator.admin`: dead letters (list, show, replay), quarantined bodies, a thread's history
(events received, decisions, Dimelo calls and their results).

It reads the store the orchestrator uses (same ORCHESTRATOR_DB_PATH / ORCHESTRATOR_DATABASE_URL settings);
a running orchestrator picks replayed events up within seconds.
"""

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime

from google.protobuf.json_format import MessageToDict

from orchestrator.conversation_view import render_thread
from orchestrator.database import Database
from orchestrator.settings import StoreSettings
from orchestrator.store import DEAD, Store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m orchestrator.admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dead-letters", help="list dead letters with their reason")
    show = commands.add_parser("show", help="show a stored event: its JSON, state and reason")
    show.add_argument("event_id")
    replay = commands.add_parser("replay", help="put a dead letter back in the queue")
    replay.add_argument("event_id")
    commands.add_parser("quarantine", help="list webhook bodies that could not be parsed")
    thread = commands.add_parser(
        "thread", help="a thread's history: events received, decisions and why, Dimelo calls and their results"
    )
    thread.add_argument("thread_id")
    thread.add_argument(
        "--bodies", action="store_true", help="also show the messages, answers and AI explanations (customer data)"
    )
    return parser


async def run(args: argparse.Namespace, store: Store) -> int:
    if args.command == "dead-letters":
        for record, thread_id in await store.event_records(DEAD):
            print(f"{record.event_id}  {record.type}  thread {thread_id}  attempts {record.attempts}  {record.outcome}")
    elif args.command == "show":
        event = await store.stored_event(args.event_id)
        if event is None:
            print(f"no event {args.event_id}", file=sys.stderr)
            return 1
        [record] = [r for r in await store.thread_events(event.content.thread_id) if r.event_id == args.event_id]
        print(json.dumps({"state": record.state, "outcome": record.outcome, "attempts": record.attempts,
                          "event": MessageToDict(event)}, indent=2, ensure_ascii=False))  # fmt: skip
    elif args.command == "replay":
        if not await store.replay(args.event_id):
            print(f"{args.event_id} is not a dead letter", file=sys.stderr)
            return 1
        print(f"{args.event_id} queued again")
    elif args.command == "quarantine":
        for quarantine_id, reason, received_at, body in await store.quarantined():
            when = datetime.fromtimestamp(received_at, UTC).isoformat(timespec="seconds")
            print(f"{quarantine_id}  {when}  {reason}  ({len(body)} bytes)")
    elif args.command == "thread":
        print(await render_thread(store, args.thread_id, args.bodies))
    return 0


async def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    settings = StoreSettings()
    database = await Database.open(settings.orchestrator_db_path, settings.orchestrator_database_url.get_secret_value())
    store = await Store.open(database, settings.lease_seconds)
    try:
        return await run(args, store)
    finally:
        await store.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
