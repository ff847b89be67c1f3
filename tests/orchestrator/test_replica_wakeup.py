"""Two orchestrator replicas on one PostgreSQL store: an event taken in by one wakes the other at once (NOTIFY in
the accepting commit, LISTEN on a connection of its own), not at its next poll, even after its listening
connection was cut."""

import time
import uuid

import grpc
import psycopg
import pytest

from orchestrator.server import create_server
from tests.orchestrator.conftest import Running, customer_message
from tests.postgres import SERVER_URL, fresh_schema
from tests.support.eventually import eventually

# Replica B's poll: far longer than the tests wait, so only a notification can wake it in time.
LONG_POLL_SECONDS = 3600.0
WAKE_TIMEOUT_SECONDS = 20.0


@pytest.fixture
def application_name() -> str:
    """This test's replicas' name on their PostgreSQL connections: the server is shared with other tests' (and other
    workers') orchestrators, whose listening connections must not count as this test's."""
    return f"replica-wakeup-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def database_url(application_name):
    """PostgreSQL only (a fresh schema), for every replica of a test, its connections named `application_name`."""
    with fresh_schema() as url:
        yield f"{url}&application_name={application_name}"


@pytest.fixture
async def intake_only(settings_for):
    """Replica A: takes deliveries in and never processes them (its scheduler is not started)."""
    orchestrator = await create_server(settings_for(orchestrator_replica_id="replica-a"))
    await orchestrator.grpc.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{orchestrator.port}")
    yield Running(orchestrator, channel)
    await channel.close()
    await orchestrator.stop()


@pytest.fixture
async def idle_replica(settings_for, start_orchestrator, application_name):
    """Replica B, listening, with an hourly poll; returns it, the server process of its listening connection and
    a function listing this test's listening connections opened since B started."""
    started = time.time()
    replica = await start_orchestrator(
        settings_for(orchestrator_replica_id="replica-b", store_poll_seconds=LONG_POLL_SECONDS)
    )

    def listening() -> list[int]:
        return listeners(application_name, since=started)

    [listener] = await eventually(listening, what="replica B listening")
    return replica, listener, listening


async def processed_by_the_other_replica(a: Running, b: Running, thread_id: str) -> float:
    """Submits a customer message of `thread_id` to A; returns the seconds until it is processed (by B)."""
    submitted = time.perf_counter()
    await a.submit(customer_message(thread_id=thread_id, first_in_thread=True))
    await eventually(
        lambda: b.orchestrator.store.thread_events(thread_id),
        lambda events: [e.state for e in events] == ["done"],
        timeout=WAKE_TIMEOUT_SECONDS,
        interval=0.01,
        what=f"{thread_id} processed by replica B",
    )
    return time.perf_counter() - submitted


async def test_a_message_taken_in_by_one_replica_wakes_the_other(peers, intake_only, idle_replica):
    """In: replica A takes a customer message in (and processes nothing); replica B, idle, polls once an hour.
    Out: B answers it within 20 s (the latency is printed), which only the notification can explain."""
    ai, _, _ = peers
    latency = await processed_by_the_other_replica(intake_only, idle_replica[0], "thread-woken")

    print(f"taken in by replica A, processed by replica B after {latency * 1000:.0f} ms (poll {LONG_POLL_SECONDS:g} s)")
    assert [r.conversation.message.body for r in ai.requests] == ["What are your opening hours?"]


async def test_a_replica_whose_listening_connection_was_cut_listens_again(intake_only, idle_replica):
    """In: replica B listening; the server ends B's listening connection (pg_terminate_backend); then replica A
    takes a customer message in. Out: B listens again on a new connection and answers the message within 20 s,
    long before its hourly poll."""
    b, first, listening = idle_replica
    with psycopg.connect(SERVER_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    await eventually(lambda: [pid for pid in listening() if pid != first], what="B listening again")

    latency = await processed_by_the_other_replica(intake_only, b, "thread-after-the-cut")
    print(f"after the cut, processed by replica B {latency * 1000:.0f} ms after replica A took it in")


def listeners(application_name: str, since: float) -> list[int]:
    """The server processes of `application_name`'s connections that listen for new events, opened after `since`
    (epoch seconds)."""
    with psycopg.connect(SERVER_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN botbridge_events'"
            " AND application_name = %s AND backend_start >= to_timestamp(%s)",
            (application_name, since),
        ).fetchall()
    return [pid for (pid,) in rows]
