"""The orchestrator's readiness: its store answers (and reports the backlog), its peers answer their health checks.

Taking deliveries needs only the store, so OrchestratorService (what the gateway's readiness asks) is SERVING
while the store answers, even with a peer down: events are kept and processed once it is back. The overall
status ("") needs the peers too.
"""

import time

import grpc

from orchestrator.metrics import BACKLOG, DEAD_LETTERS, OLDEST_PENDING_AGE, QUARANTINED
from orchestrator.store import Store
from service_kit.readiness import ReadinessChecks, peer_answers

CHECK_TIMEOUT_SECONDS = 2.0


def readiness_checks(
    store: Store, ai: grpc.aio.Channel, dimelo_adapter: grpc.aio.Channel, service_name: str
) -> ReadinessChecks:
    """The checks, with `service_name` (OrchestratorService) needing only the store."""

    async def store_answers() -> None:
        stats = await store.stats()
        BACKLOG.set(stats.pending)
        oldest = stats.oldest_pending_received_at
        OLDEST_PENDING_AGE.set(max(0.0, time.time() - oldest) if oldest is not None else 0.0)
        DEAD_LETTERS.set(stats.dead)
        QUARANTINED.set(stats.quarantined)

    checks = {
        "store": store_answers,
        "ai": peer_answers(ai, CHECK_TIMEOUT_SECONDS / 2),
        "dimelo_adapter": peer_answers(dimelo_adapter, CHECK_TIMEOUT_SECONDS / 2),
    }
    return ReadinessChecks(checks, {service_name: ["store"]}, CHECK_TIMEOUT_SECONDS)
