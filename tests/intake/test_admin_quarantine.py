"""`python -m orchestrator.admin` on quarantined items: listed, shown with their reason, and replayed into intake."""

import pytest

from orchestrator import admin, storable
from tests.intake.conftest import BOT_SOURCE, Edge, message


@pytest.fixture
def admin_env(edge: Edge, monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin command reads the edge's store, as it would the orchestrator's."""
    monkeypatch.setenv("ORCHESTRATOR_DB_PATH", str(edge.sqlite_path))
    monkeypatch.setenv("ORCHESTRATOR_DATABASE_URL", edge.database_url)
    monkeypatch.setenv("BOT_SOURCE_IDS", BOT_SOURCE)


async def test_quarantined_event_is_listed_shown_and_replayed_once_readable(
    edge: Edge, admin_env, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # In: a delivery with a good event and one whose id is too long for the store; then the admin's quarantine,
    # show-quarantined, and replay-quarantined once a (simulated) upgrade takes longer ids.
    # Out: the item listed and shown with its reason and the event's JSON; the replay stores the event, accepted,
    # and the item leaves the quarantine.
    long_id = "x" * (storable.MAX_ID_CHARS + 1)
    await edge.deliver({"id": "d", "events": [message(long_id), message("e-good")]})
    [(quarantine_id, reason, _, _)] = await edge.store.quarantined()

    assert await admin.main(["quarantine"]) == 0
    assert f"{quarantine_id}" in capsys.readouterr().out
    assert await admin.main(["show-quarantined", quarantine_id]) == 0
    shown = capsys.readouterr().out
    assert reason in shown and f'"id":"{long_id}"' in shown

    monkeypatch.setattr(storable, "MAX_ID_CHARS", 1000)
    assert await admin.main(["replay-quarantined", quarantine_id]) == 0
    assert f"{long_id}  accepted" in capsys.readouterr().out
    stored = await edge.store.stored_event(long_id)
    assert stored is not None and stored.content.source_id == BOT_SOURCE
    assert await edge.store.quarantined() == []


async def test_replay_of_a_still_unreadable_event_quarantines_it_again(
    edge: Edge, admin_env, capsys: pytest.CaptureFixture
) -> None:
    # In: an event with an unreadable issued_at, quarantined by the gateway; the admin replays it.
    # Out: quarantined again under a new id with the same reason; the old item is gone.
    await edge.deliver({"id": "d", "events": [{**message("e-1"), "issued_at": "yesterday"}]})
    [(first_id, reason, _, _)] = await edge.store.quarantined()
    assert await admin.main(["replay-quarantined", first_id]) == 0
    assert "quarantined again as" in capsys.readouterr().out
    [(second_id, second_reason, _, _)] = await edge.store.quarantined()
    assert second_id != first_id and second_reason == reason


async def test_replay_of_a_body_that_is_no_delivery_keeps_it(edge: Edge, admin_env, capsys) -> None:
    # In: a body that is not JSON (refused with 400 and quarantined whole); the admin replays it, and asks for an
    # id that does not exist. Out: exit 1 both times, saying why; the body stays in quarantine.
    assert (await edge.deliver(b"not json")).status_code == 400
    [(quarantine_id, _, _, _)] = await edge.store.quarantined()
    assert await admin.main(["replay-quarantined", quarantine_id]) == 1
    assert "still not a delivery" in capsys.readouterr().err
    assert await admin.main(["show-quarantined", "no-such-id"]) == 1
    assert len(await edge.store.quarantined()) == 1
