"""The gateway's HTTP routes: the Dimelo webhook (handshake and deliveries), the health probes and the metrics."""

import logging
import time
from typing import Annotated

import grpc
from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from grpc_health.v1 import health_pb2
from opentelemetry.trace import SpanKind

from botbridge.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc
from gateway.dependencies import Delivery, HandshakeSecret, OrchestratorHealth, Settings, matches
from gateway.metrics import DELIVERIES, DELIVERY_SECONDS, EVENTS, HANDSHAKES, ORCHESTRATOR_FAILURES
from gateway.settings import GatewaySettings
from service_kit.metrics import event_type_label, exposition
from service_kit.rich_errors import ORCHESTRATOR, UNSPECIFIED
from service_kit.tracing import tracer
from service_kit.webhook_delivery import NotADelivery, delivery_request

log = logging.getLogger(__name__)

ORCHESTRATOR_SERVICE = orchestrator_pb2.DESCRIPTOR.services_by_name["OrchestratorService"].full_name
READINESS_TIMEOUT_SECONDS = 1.0
# Events per SubmitDelivery call: well under a second of the orchestrator's work, far within its deadline, even on a
# loaded PostgreSQL (a 1 MiB body may hold 40,000 tiny events).
SUBMIT_BATCH_EVENTS = 1000

# Mounted at the configured webhook path.
webhook = APIRouter()
probes = APIRouter()


@webhook.get("", response_class=HTMLResponse, dependencies=[HandshakeSecret])
async def confirm_subscription(
    settings: Settings,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    verify_token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> HTMLResponse:
    """Dimelo's subscription handshake: answers hub.challenge as is, once the verify token matches."""
    if verify_token is None or not matches(verify_token.encode(), settings.verify_token):
        raise HTTPException(403, "hub.verify_token does not match")
    if mode != "subscribe":
        raise HTTPException(400, 'hub.mode must be "subscribe"')
    if not challenge:
        raise HTTPException(400, "hub.challenge is missing")
    HANDSHAKES.labels("confirmed").inc()
    log.info("subscription handshake confirmed")
    return HTMLResponse(challenge)


@webhook.post("")
async def receive_delivery(delivery: Delivery) -> JSONResponse:
    """A webhook delivery: 200 once the orchestrator kept every event of it (stored, or quarantined when unreadable),
    400 if it is not a delivery at all (kept aside), 503 if not kept."""
    started = time.perf_counter()
    with tracer.start_as_current_span("webhook delivery", kind=SpanKind.SERVER):
        outcome, response = await _deliver(delivery.body, delivery.settings, delivery.orchestrator)
    DELIVERIES.labels(outcome).inc()
    DELIVERY_SECONDS.labels(outcome).observe(time.perf_counter() - started)
    return response


async def _deliver(
    body: bytes, settings: GatewaySettings, orchestrator: "orchestrator_pb2_grpc.OrchestratorServiceAsyncStub"
) -> tuple[str, JSONResponse]:
    """The delivery handed to the orchestrator: the outcome to count, and the answer to Dimelo."""
    try:
        request = delivery_request(body)
    except NotADelivery as refused:
        return await _quarantine(body, str(refused), settings, orchestrator)
    delivery = request.delivery
    # wait_for_ready: a restarting orchestrator is waited for up to the deadline, since Dimelo disables a webhook
    # after about ten failed requests and a restart must not cost one per delivery. A large delivery goes in
    # batches, each within its own deadline and durable once answered: a re-send after a failure finds the stored
    # ones as duplicates, so it always makes progress.
    receipts: list[orchestrator_pb2.EventReceipt] = []
    quarantine_ids: list[str] = []
    try:
        for batch in _batches(request):
            stored = await orchestrator.SubmitDelivery(
                batch, timeout=settings.submit_timeout_seconds, wait_for_ready=True
            )
            receipts.extend(stored.receipts)
            quarantine_ids.extend(stored.quarantine_ids)
    except grpc.aio.AioRpcError as error:
        answered = _orchestrator_failed("submit", error)
        log.error(
            "delivery not stored: the orchestrator answered %s",
            answered,
            extra={"delivery_id": delivery.id, "events": len(delivery.events), "grpc_details": error.details()},
        )
        return _not_stored(f"the orchestrator did not store the delivery ({answered}); send it again")
    counts = {"accepted": 0, "duplicates": 0, "quarantined": len(quarantine_ids)}
    for event, receipt in zip(delivery.events, receipts, strict=False):
        disposition = _DISPOSITIONS.get(receipt.disposition, "accepted")
        counts[disposition] += 1
        EVENTS.labels(event_type_label(event.type), _DISPOSITION_LABELS[disposition]).inc()
    EVENTS.labels("unreadable", "quarantined").inc(len(quarantine_ids))
    for item, quarantine_id in zip(request.quarantine, quarantine_ids, strict=False):
        log.warning("unreadable event quarantined", extra={"reason": item.reason, "quarantine_id": quarantine_id})
    log.info("delivery stored", extra={"delivery_id": delivery.id, "events": len(delivery.events), **counts})
    return "stored", JSONResponse(counts)


def _batches(request: orchestrator_pb2.SubmitDeliveryRequest) -> list[orchestrator_pb2.SubmitDeliveryRequest]:
    """The request cut into requests of at most SUBMIT_BATCH_EVENTS events (the quarantine items go with the first)."""
    events = request.delivery.events
    batches = []
    for start in range(0, max(len(events), 1), SUBMIT_BATCH_EVENTS):
        batch = orchestrator_pb2.SubmitDeliveryRequest(quarantine=request.quarantine if start == 0 else [])
        batch.delivery.id, batch.delivery.domain_id = request.delivery.id, request.delivery.domain_id
        batch.delivery.events.extend(events[start : start + SUBMIT_BATCH_EVENTS])
        batches.append(batch)
    return batches


# A receipt's disposition as the answer's count it adds to, and that count as the events metric's label.
_DISPOSITIONS = {
    orchestrator_pb2.EVENT_DISPOSITION_DUPLICATE: "duplicates",
    orchestrator_pb2.EVENT_DISPOSITION_QUARANTINED: "quarantined",
}
_DISPOSITION_LABELS = {"accepted": "accepted", "duplicates": "duplicate", "quarantined": "quarantined"}


async def _quarantine(
    body: bytes,
    reason: str,
    settings: GatewaySettings,
    orchestrator: "orchestrator_pb2_grpc.OrchestratorServiceAsyncStub",
) -> tuple[str, JSONResponse]:
    """Keeps a body that is not a delivery with the orchestrator for inspection, then refuses it with 400."""
    try:
        kept = await orchestrator.QuarantineDelivery(
            orchestrator_pb2.QuarantineDeliveryRequest(body=body, reason=reason),
            timeout=settings.submit_timeout_seconds,
            wait_for_ready=True,
        )
    except grpc.aio.AioRpcError as error:
        answered = _orchestrator_failed("quarantine", error)
        log.error(
            "malformed delivery not quarantined: the orchestrator answered %s",
            answered,
            extra={"reason": reason, "grpc_details": error.details()},
        )
        return _not_stored(f"the malformed delivery could not be kept ({answered}); send it again")
    log.warning("malformed delivery quarantined", extra={"reason": reason, "quarantine_id": kept.quarantine_id})
    answer = {"error": "malformed_delivery", "message": reason, "quarantine_id": kept.quarantine_id}
    return "quarantined", JSONResponse(answer, status_code=400)


def _orchestrator_failed(call: str, error: grpc.aio.AioRpcError) -> str:
    """Counts a failed call to the orchestrator by its code and reason (never its message); returns them for the log
    line and the answer, e.g. "UNAVAILABLE, STORE_UNAVAILABLE"."""
    code, reason = error.code().name, ORCHESTRATOR.reason(error)
    ORCHESTRATOR_FAILURES.labels(call, code, ORCHESTRATOR.name(reason)).inc()
    return code if reason == UNSPECIFIED else f"{code}, {ORCHESTRATOR.name(reason)}"


def _not_stored(message: str) -> tuple[str, JSONResponse]:
    """503: Dimelo sends the delivery again later, and nothing is lost since it never got a 200."""
    return "not_stored", JSONResponse({"error": "not_stored", "message": message}, status_code=503)


@probes.get("/healthz")
async def liveness() -> JSONResponse:
    """Liveness: 200 as long as the process serves HTTP."""
    return JSONResponse({"status": "alive"})


@probes.get("/readyz")
async def readiness(health: OrchestratorHealth) -> JSONResponse:
    """Readiness: 200 only when the orchestrator's gRPC health check answers SERVING within a second."""
    request = health_pb2.HealthCheckRequest(service=ORCHESTRATOR_SERVICE)
    try:
        reply = await health.Check(request, timeout=READINESS_TIMEOUT_SECONDS)
    except grpc.aio.AioRpcError as error:
        return JSONResponse({"status": "not_ready", "orchestrator": error.code().name}, status_code=503)
    serving = reply.status == health_pb2.HealthCheckResponse.SERVING
    orchestrator = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    return JSONResponse(
        {"status": "ready" if serving else "not_ready", "orchestrator": orchestrator},
        status_code=200 if serving else 503,
    )


@probes.get("/metrics")
async def metrics() -> Response:
    """The process's Prometheus metrics."""
    body, content_type = exposition()
    return Response(body, media_type=content_type)
