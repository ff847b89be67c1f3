"""OrchestratorService: deliveries from the gateway, stored durably before the call returns."""

import logging

import grpc

from botbridge.events.v1 import events_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2 as pb
from botbridge.orchestrator.v1 import orchestrator_pb2_grpc
from orchestrator.intake_filter import OWN_REPLY, REPLY_EVENTS, IntakeDecision, decide
from orchestrator.metrics import INTAKE_EVENTS
from orchestrator.scheduler import Scheduler
from orchestrator.settings import Handback, Settings
from orchestrator.store import DEAD, DONE, PENDING, Store
from service_kit.metrics import event_type_label
from service_kit.tracing import current_traceparent

log = logging.getLogger(__name__)


class IntakeServicer(orchestrator_pb2_grpc.OrchestratorServiceServicer):
    """Stores each event with its initial state: pending, done (not for the bot, and why) or dead (malformed)."""

    def __init__(self, settings: Settings, store: Store, scheduler: Scheduler) -> None:
        self._bot_source_ids = frozenset(settings.bot_source_ids)
        self._handback = settings.handback is Handback.ON
        self._hold_seconds = settings.ordering_window_seconds
        self._store = store
        self._scheduler = scheduler

    async def SubmitDelivery(self, request: pb.SubmitDeliveryRequest, context: grpc.aio.ServicerContext):
        events = list(request.delivery.events)
        if any(not event.id for event in events):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "every event needs an id")
        decisions = [decide(event, self._bot_source_ids, self._handback) for event in events]
        decisions = await self._known_own_replies(events, decisions)
        states = [PENDING if d.process else DEAD if d.malformed else DONE for d in decisions]
        fresh = await self._store.accept(
            events,
            request.delivery.id,
            states,
            [d.reason for d in decisions],
            self._hold_seconds,
            current_traceparent(),
        )
        if any(is_new and state == PENDING for is_new, state in zip(fresh, states, strict=True)):
            self._scheduler.wake()
        receipts = []
        for event, decision, is_new in zip(events, decisions, fresh, strict=True):
            _log_and_count(event, decision, is_new)
            disposition = pb.EVENT_DISPOSITION_ACCEPTED if is_new else pb.EVENT_DISPOSITION_DUPLICATE
            receipts.append(pb.EventReceipt(event_id=event.id, disposition=disposition))
        return pb.SubmitDeliveryResponse(receipts=receipts)

    async def _known_own_replies(
        self, events: list[events_pb2.Event], decisions: list[IntakeDecision]
    ) -> list[IntakeDecision]:
        """Dimelo echoes each bot reply (content.replied, then content.exported): when the reply is already known,
        the echo needs no processing. An echo that outruns the reply's record is recognised when processed."""
        echoes = [e.content.id for e, d in zip(events, decisions, strict=True) if d.process and e.type in REPLY_EVENTS]
        own = await self._store.bot_messages(echoes)
        return [OWN_REPLY if d.process and e.content.id in own else d for e, d in zip(events, decisions, strict=True)]

    async def QuarantineDelivery(self, request: pb.QuarantineDeliveryRequest, context: grpc.aio.ServicerContext):
        quarantine_id = await self._store.quarantine(request.body, request.reason)
        log.warning("delivery quarantined: %s", request.reason, extra={"quarantine_id": quarantine_id})
        return pb.QuarantineDeliveryResponse(quarantine_id=quarantine_id)


def _log_and_count(event: events_pb2.Event, decision: IntakeDecision, is_new: bool) -> None:
    """One line and one count per event taken in: queued, ignored (and why), malformed, or a duplicate."""
    content = event.content
    extra = {"event_id": event.id, "event_type": event.type, "thread_id": content.thread_id, "content_id": content.id}
    if not is_new:
        outcome = "duplicate"
        log.info("duplicate event ignored", extra=extra)
    elif decision.process:
        outcome = "queued"
        log.info("event stored for processing", extra=extra)
    else:
        outcome = "malformed" if decision.malformed else "ignored"
        log.log(logging.WARNING if decision.malformed else logging.INFO, decision.reason, extra=extra)
    reason = decision.code if is_new else ""
    INTAKE_EVENTS.labels(event_type_label(event.type), outcome, reason).inc()
