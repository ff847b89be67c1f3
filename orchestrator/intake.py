"""OrchestratorService: deliveries from the gateway, every event stored or quarantined durably before the call
returns."""

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

import grpc

from botbridge.events.v1 import events_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2 as pb
from botbridge.orchestrator.v1 import orchestrator_pb2_grpc
from orchestrator import ordering
from orchestrator.database import store_unwell
from orchestrator.errors import describe
from orchestrator.intake_filter import OWN_REPLY, REPLY_EVENTS, IntakeDecision, decide
from orchestrator.metrics import INTAKE_EVENTS, ORDERING_EVIDENCE
from orchestrator.scheduler import Scheduler
from orchestrator.settings import Handback, Settings
from orchestrator.storable import MAX_ID_CHARS, replace_nul, unstorable, without_nul
from orchestrator.store import DEAD, DONE, PENDING, KnownContent, Store
from service_kit.metrics import event_type_label
from service_kit.rich_errors import ORCHESTRATOR
from service_kit.tracing import current_traceparent

log = logging.getLogger(__name__)
_Context = grpc.aio.ServicerContext[Any, Any]

# The intake outcome of an event kept in quarantine rather than stored.
QUARANTINED = "quarantined"


class Intake:
    """Takes a delivery in: stores each event with its initial state (pending, done: not for the bot and why, dead:
    malformed) and quarantines, each on its own with the reason, what cannot be stored as an event.

    `hold_seconds` is the ordering window: the longest an event waits for earlier ones of its thread; `on_pending`
    is called when a new event waits for processing; `handback` keeps the events that may hand a thread back to the
    bot (HANDBACK)."""

    def __init__(
        self,
        store: Store,
        bot_source_ids: Iterable[str],
        hold_seconds: float,
        on_pending: Callable[[], None],
        handback: bool = False,
    ) -> None:
        self._store = store
        self._bot_source_ids = frozenset(bot_source_ids)
        self._hold_seconds = hold_seconds
        self._on_pending = on_pending
        self._handback = handback

    async def take_in(self, request: pb.SubmitDeliveryRequest, traceparent: str = "") -> pb.SubmitDeliveryResponse:
        """Returns once every event is durably kept (stored or quarantined); raises when the store takes nothing."""
        delivery = request.delivery
        aside = [(item.body, without_nul(item.reason)) for item in request.quarantine]
        unreadable = len(aside)
        receipts = [pb.EventReceipt(event_id=event.id) for event in delivery.events]
        kept, refused = [], []
        for receipt, sent in zip(receipts, delivery.events, strict=True):
            if reason := unstorable(sent):
                aside.append((_alone(delivery, sent), reason))
                refused.append(receipt)
                _count(sent, QUARANTINED, "unstorable", reason, logging.WARNING)
            else:
                event = events_pb2.Event()
                event.CopyFrom(sent)
                replace_nul(event)
                kept.append((receipt, event))
        quarantine_ids = await self._store.quarantine(aside) if aside else []
        for receipt, quarantine_id in zip(refused, quarantine_ids[unreadable:], strict=True):
            receipt.disposition, receipt.quarantine_id = pb.EVENT_DISPOSITION_QUARANTINED, quarantine_id
        await self._store_events(without_nul(delivery.id), kept, traceparent, delivery)
        return pb.SubmitDeliveryResponse(receipts=receipts, quarantine_ids=quarantine_ids[:unreadable])

    async def _store_events(
        self,
        delivery_id: str,
        kept: Sequence[tuple[pb.EventReceipt, events_pb2.Event]],
        traceparent: str,
        delivery: events_pb2.Delivery,
    ) -> None:
        """Stores the events in one commit, or one at a time when the store refuses them together: an event it
        refuses alone is quarantined with the store's reason. A store that cannot write now (full, locked,
        unreachable) refuses nothing: that raises, and Dimelo sends the delivery again. Sets each receipt's
        disposition."""
        events = [event for _, event in kept]
        decisions = [decide(event, self._bot_source_ids, self._handback) for event in events]
        decisions = await self._known_own_replies(events, decisions)
        states = [PENDING if d.process else DEAD if d.malformed else DONE for d in decisions]
        reasons = [d.reason for d in decisions]
        holds = await self._holds(events, states)
        try:
            fresh: Sequence[bool | None]
            fresh = await self._store.accept(events, delivery_id, states, reasons, holds, traceparent)
        except Exception as error:  # one event may be what the store refuses: the others must still be kept
            if store_unwell(error):
                raise
            log.warning("the store refused the delivery's events together: storing them one at a time", exc_info=True)
            fresh = [
                await self._store_alone(delivery, delivery_id, *args, traceparent)
                for args in zip(kept, states, reasons, holds, strict=True)
            ]
        for (receipt, event), decision, is_new in zip(kept, decisions, fresh, strict=True):
            if is_new is None:
                continue
            receipt.disposition = pb.EVENT_DISPOSITION_ACCEPTED if is_new else pb.EVENT_DISPOSITION_DUPLICATE
            _log_and_count(event, decision, is_new)
        if any(is_new and state == PENDING for is_new, state in zip(fresh, states, strict=True)):
            self._on_pending()

    async def _store_alone(
        self,
        delivery: events_pb2.Delivery,
        delivery_id: str,
        kept: tuple[pb.EventReceipt, events_pb2.Event],
        state: str,
        reason: str,
        hold: float,
        traceparent: str,
    ) -> bool | None:
        """Stores one event: whether it is new, or None when the store refused it and it was quarantined instead
        (raises when the store cannot write now, or takes neither: it is unwell, not refusing this event)."""
        receipt, event = kept
        try:
            [is_new] = await self._store.accept([event], delivery_id, [state], [reason], [hold], traceparent)
            return is_new
        except Exception as error:  # quarantined below, or raised if the quarantine fails too
            if store_unwell(error):
                raise
            refusal = f"the store refused the event ({type(error).__name__})"
        [receipt.quarantine_id] = await self._store.quarantine([(_alone(delivery, event), refusal)])
        receipt.disposition = pb.EVENT_DISPOSITION_QUARANTINED
        _count(event, QUARANTINED, "store_refused", refusal, logging.ERROR)
        return None

    async def _holds(self, events: list[events_pb2.Event], states: list[str]) -> list[float]:
        """Each event's hold before processing: none when the earlier events of its thread are shown to be all here
        or on their way no later than the event itself, longer when one is shown to be missing
        (orchestrator/ordering.py); counted by evidence."""
        if not self._hold_seconds:
            return [0.0] * len(events)
        now = time.time()
        in_delivery = {
            e.content.id: KnownContent(e.type == ordering.CUSTOMER_MESSAGE, now) for e in events if e.content.id
        }
        pending = [event for event, state in zip(events, states, strict=True) if state == PENDING]
        asked = {e.content.in_reply_to_id for e in pending if e.content.in_reply_to_id not in in_delivery} - {""}
        known = {**await self._store.known_contents(asked), **in_delivery}
        holds = []
        for event, state in zip(events, states, strict=True):
            if state != PENDING:
                holds.append(0.0)
                continue
            why, seconds = ordering.hold(event, known, self._hold_seconds, now)
            ORDERING_EVIDENCE.labels(why).inc()
            holds.append(seconds)
        return holds

    async def _known_own_replies(
        self, events: list[events_pb2.Event], decisions: list[IntakeDecision]
    ) -> list[IntakeDecision]:
        """Dimelo echoes each bot reply (content.replied, then content.exported): when the reply is already known,
        the echo needs no processing. An echo that outruns the reply's record is recognised when processed."""
        echoes = [e.content.id for e, d in zip(events, decisions, strict=True) if d.process and e.type in REPLY_EVENTS]
        own = await self._store.bot_messages(echoes)
        return [OWN_REPLY if d.process and e.content.id in own else d for e, d in zip(events, decisions, strict=True)]


class IntakeServicer(orchestrator_pb2_grpc.OrchestratorServiceServicer):
    """The gRPC face of the intake; a new pending event wakes the scheduler."""

    def __init__(self, settings: Settings, store: Store, scheduler: Scheduler) -> None:
        self._intake = Intake(
            store,
            settings.bot_source_ids,
            settings.ordering_window_seconds,
            scheduler.wake,
            handback=settings.handback is Handback.ON,
        )
        self._store = store

    async def SubmitDelivery(self, request: pb.SubmitDeliveryRequest, context: _Context) -> pb.SubmitDeliveryResponse:
        async with _store_unwell_is_unavailable(context):
            return await self._intake.take_in(request, current_traceparent())

    async def QuarantineDelivery(
        self, request: pb.QuarantineDeliveryRequest, context: _Context
    ) -> pb.QuarantineDeliveryResponse:
        async with _store_unwell_is_unavailable(context):
            [quarantine_id] = await self._store.quarantine([(request.body, without_nul(request.reason))])
        log.warning("delivery quarantined: %s", request.reason, extra={"quarantine_id": quarantine_id})
        return pb.QuarantineDeliveryResponse(quarantine_id=quarantine_id)


@contextlib.asynccontextmanager
async def _store_unwell_is_unavailable(context: _Context) -> AsyncIterator[None]:
    """A store that cannot write now fails the call with UNAVAILABLE, reason STORE_UNAVAILABLE, and the cause in one
    line (the gateway answers 503 and Dimelo sends the delivery again), not with a traceback per delivery."""
    try:
        yield
    except Exception as error:
        if not store_unwell(error):
            raise
        cause = describe(error)
        log.warning("delivery not kept: the store cannot write now: %s", cause)
        message = f"the store cannot write now ({cause}); send it again"
        await ORCHESTRATOR.abort(context, grpc.StatusCode.UNAVAILABLE, message, pb.ERROR_REASON_STORE_UNAVAILABLE)


def _alone(delivery: events_pb2.Delivery, event: events_pb2.Event) -> bytes:
    """An event as a delivery body holding only it, from its raw JSON, so that a replay parses it again."""
    raw = event.raw_json or "{}"
    envelope = json.dumps({"id": delivery.id, "domain_id": delivery.domain_id, "events": []}, ensure_ascii=False)
    return (envelope[:-2] + raw + "]}").encode("utf-8", "surrogatepass")


def _count(event: events_pb2.Event, outcome: str, code: str, reason: str, level: int) -> None:
    log.log(level, reason, extra={"event_id": event.id[:MAX_ID_CHARS], "event_type": event.type[:MAX_ID_CHARS]})
    INTAKE_EVENTS.labels(event_type_label(event.type), outcome, code).inc()


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
