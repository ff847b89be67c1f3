"""The admin command: dead letters are listed with their reason and replay once the cause is fixed."""

import grpc

from orchestrator import admin
from tests.orchestrator.conftest import customer_message, settled


async def test_dead_letter_is_listed_with_its_reason_and_replays_after_the_fix(
    peers, settings_for, start_orchestrator, monkeypatch, capsys
):
    _, dimelo, _ = peers
    settings = settings_for()
    monkeypatch.setenv("ORCHESTRATOR_DB_PATH", str(settings.orchestrator_db_path))
    monkeypatch.setenv("ORCHESTRATOR_DATABASE_URL", settings.orchestrator_database_url.get_secret_value())
    # The answer and the handover both refused: a dead letter.
    dimelo.failures["CreateReply"] = [grpc.StatusCode.PERMISSION_DENIED] * 2
    dimelo.failures["UpdateThreadCategories"] = [grpc.StatusCode.PERMISSION_DENIED]
    running = await start_orchestrator(settings)
    event = customer_message()
    await running.submit(event)
    await settled(running, "thread-1", 1)

    assert await admin.main(["dead-letters"]) == 0
    listing = capsys.readouterr().out
    refusal = "PERMISSION_DENIED (DIMELO_PERMISSION_DENIED): scripted failure of CreateReply"
    assert event.id in listing and refusal in listing

    assert await admin.main(["replay", event.id]) == 0
    running.orchestrator.scheduler.wake()
    [record] = await settled(running, "thread-1", 1)
    assert (record.state, record.outcome) == ("done", "answered")
    assert len(dimelo.replies) == 1

    assert await admin.main(["thread", "thread-1"]) == 0
    assert "answered" in capsys.readouterr().out
    assert await admin.main(["replay", event.id]) == 1
