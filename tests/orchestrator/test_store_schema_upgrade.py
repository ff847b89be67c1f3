"""Stores made by releases before numbered migrations open with this release's schema and keep their events; the
migrations are applied once."""

from orchestrator.database import Database
from orchestrator.store import PENDING, Store
from orchestrator.store.intake_queue import due_at_once
from orchestrator.store.migrations import migrations, statements
from tests.orchestrator.conftest import customer_message

# The first migration is the schema of the last release before numbered migrations, which made no schema_version.
LAST_UNNUMBERED_SCHEMA = migrations()[0][2]
# The first release's: without the columns added since.
FIRST_RELEASE_SCHEMA = (
    LAST_UNNUMBERED_SCHEMA.replace(",\n    traceparent TEXT NOT NULL DEFAULT ''", "")
    .replace(",\n    generation BIGINT NOT NULL DEFAULT 0", "")
    .replace(",\n    bot_category_seen_at {real} NOT NULL DEFAULT 0", "")
)


async def make_old_store(path, database_url: str, schema: str, thread_id: str) -> str:
    """A store as an old release made it (`schema`), holding one pending event of `thread_id` and no lease; returns
    the event's id."""
    old_database = await Database.open(path, database_url)
    old = customer_message(thread_id=thread_id)

    def create_as_the_old_release() -> None:
        for statement in statements(old_database.typed(schema)):
            old_database.execute(statement)
        old_database.execute(
            "INSERT INTO events (event_id, delivery_id, type, thread_id, content_id, issued_at, received_at, event,"
            " state) VALUES (?, 'd', ?, ?, ?, 0, 0, ?, ?)",
            (old.id, old.type, thread_id, old.content.id, old.SerializeToString(), PENDING),
        )

    await old_database.run(create_as_the_old_release)
    await old_database.close()
    return old.id


async def schema_versions(database: Database) -> list[int]:
    return [
        version
        for (version,) in await database.run(
            lambda: database.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        )
    ]


async def test_a_first_release_store_gets_the_columns_added_since_and_keeps_its_events(tmp_path, database_url):
    """In: a store with the first release's schema (no traceparent, lease generation nor bot_category_seen_at)
    holding one pending event, opened three times by this release. Out: every migration recorded once; the old
    event is still claimed (with an empty traceparent, lease generation 1), and a new event keeps the traceparent it
    was stored with."""
    assert FIRST_RELEASE_SCHEMA.count("DEFAULT") == LAST_UNNUMBERED_SCHEMA.count("DEFAULT") - 3
    await make_old_store(tmp_path / "store.sqlite3", database_url, FIRST_RELEASE_SCHEMA, "thread-old")

    for _ in range(2):
        store = await Store.open(await Database.open(tmp_path / "store.sqlite3", database_url), lease_seconds=30)
        await store.close()
    store = await Store.open(await Database.open(tmp_path / "store.sqlite3", database_url), lease_seconds=30)
    try:
        assert await schema_versions(store._db) == [number for number, _, _ in migrations()]
        traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        await store.accept([customer_message(thread_id="thread-new")], "d-2", due_at_once, traceparent=traceparent)
        claimed = {event.thread_id: event for event in await store.claim_next([], 10)}
        assert claimed["thread-old"].traceparent == ""
        assert claimed["thread-old"].lease.generation == 1
        assert claimed["thread-new"].traceparent == traceparent
    finally:
        await store.close()


async def test_a_store_of_the_last_unnumbered_release_is_migrated_and_its_pending_thread_claimed(
    tmp_path, database_url
):
    """In: a store as the last release before numbered migrations left it: its full schema, no schema_version,
    and a pending event whose thread has no lease row (that release leased threads only when claiming them).
    Out: every migration is recorded, and the pending event is claimed by this release's claim (which on
    PostgreSQL locks lease rows, so the thread must have been given one)."""
    event_id = await make_old_store(tmp_path / "store.sqlite3", database_url, LAST_UNNUMBERED_SCHEMA, "thread-old")

    store = await Store.open(await Database.open(tmp_path / "store.sqlite3", database_url), lease_seconds=30)
    try:
        assert await schema_versions(store._db) == [number for number, _, _ in migrations()]
        [claimed] = await store.claim_next([], 10)
        assert (claimed.event.id, claimed.thread_id) == (event_id, "thread-old")
    finally:
        await store.close()
