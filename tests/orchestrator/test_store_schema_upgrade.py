"""A store made by the first release (events without a traceparent column) opens with the column added."""

from orchestrator.database import Database
from orchestrator.store import PENDING, SCHEMA, Store
from tests.orchestrator.conftest import customer_message

FIRST_RELEASE_SCHEMA = SCHEMA.replace(",\n    traceparent TEXT NOT NULL DEFAULT ''", "")


async def test_an_older_store_gets_the_traceparent_column_and_keeps_its_events(tmp_path, database_url):
    """In: a store with the first release's schema holding one pending event, opened twice by this release.
    Out: the old event is still claimed (with an empty traceparent), a new event keeps the traceparent it was
    stored with, and opening again changes nothing."""
    assert FIRST_RELEASE_SCHEMA != SCHEMA
    old_database = await Database.open(tmp_path / "store.sqlite3", database_url)
    await old_database.run(lambda: old_database.create_schema(FIRST_RELEASE_SCHEMA))
    old = customer_message(thread_id="thread-old")

    def store_as_the_first_release() -> None:
        old_database.execute(
            "INSERT INTO events (event_id, delivery_id, type, thread_id, content_id, issued_at, received_at, event,"
            " state) VALUES (?, 'd', ?, ?, ?, 0, 0, ?, ?)",
            (old.id, old.type, "thread-old", old.content.id, old.SerializeToString(), PENDING),
        )

    await old_database.run(store_as_the_first_release)
    await old_database.close()

    for _ in range(2):
        store = await Store.open(await Database.open(tmp_path / "store.sqlite3", database_url), lease_seconds=30)
        await store.close()
    store = await Store.open(await Database.open(tmp_path / "store.sqlite3", database_url), lease_seconds=30)
    try:
        traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        await store.accept([customer_message(thread_id="thread-new")], "d-2", [PENDING], [""], [0.0], traceparent)
        claimed = {event.thread_id: event for event in await store.claim_next([], 10)}
        assert claimed["thread-old"].traceparent == ""
        assert claimed["thread-new"].traceparent == traceparent
    finally:
        await store.close()
