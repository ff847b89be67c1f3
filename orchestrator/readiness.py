"""The orchestrator's readiness: its store takes writes (and reports the backlog), its scheduling loop runs, its
peers answer their health checks.

Taking deliveries needs the store and the loop, so OrchestratorService (what the gateway's readiness asks) is
SERVING while the store takes a real write and the loop runs, even with a peer down: events are kept and processed
once it is back. The overall status ("") needs the peers too.
"""

import time
from collections.abc import Callable

import grpc

from orchestrator.metrics import BACKLOG, DEAD_LETTERS, OLDEST_PENDING_AGE, QUARANTINED
from orchestrator.store import Store
from service_kit.readiness import ReadinessChecks, peer_answers

CHECK_TIMEOUT_SECONDS = 2.0


class LoopStopped(Exception):
    """The scheduling loop is not running: nothing stored would be processed."""


def readiness_checks(
    store: Store,
    ai: grpc.aio.Channel,
    dimelo_adapter: grpc.aio.Channel,
    service_name: str,
    loop_alive: Callable[[], bool],
) -> ReadinessChecks:
    """The checks, with `service_name` (OrchestratorService) needing the store and the scheduling loop."""

    async def store_takes_writes() -> None:
        await store.probe_write()
        stats = await store.stats()
        BACKLOG.set(stats.pending)
        oldest = stats.oldest_pending_received_at
        OLDEST_PENDING_AGE.set(max(0.0, time.time() - oldest) if oldest is not None else 0.0)
        DEAD_LETTERS.set(stats.dead)
        QUARANTINED.set(stats.quarantined)

    async def scheduler_runs() -> None:
        if not loop_alive():
            raise LoopStopped("the scheduling loop has stopped")

    checks = {
        "store": store_takes_writes,
        "scheduler": scheduler_runs,
        "ai": peer_answers(ai, CHECK_TIMEOUT_SECONDS / 2),
        "dimelo_adapter": peer_answers(dimelo_adapter, CHECK_TIMEOUT_SECONDS / 2),
    }
    return ReadinessChecks(checks, {service_name: ["store", "scheduler"]}, CHECK_TIMEOUT_SECONDS)
