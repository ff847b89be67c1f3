"""OrchestratorService: deliveries from the gateway, every event stored or quarantined durably before the call
returns."""

import contextlib
import functools
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc

from botbridge.events.v1 import events_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2 as pb
from botbridge.orchestrator.v1 import orchestrator_pb2_grpc
from orchestrator import ordering
from orchestrator.database import store_unwell
from orchestrator.delivery_lateness import DeliveryLateness
from orchestrator.errors import describe
from orchestrator.intake_filter import OWN_REPLY, REPLY_EVENTS, IntakeDecision, decide
from orchestrator.metrics import DELIVERY_LATENESS_SPREAD, INTAKE_EVENTS, ORDERING_EVIDENCE
from orchestrator.scheduler import Scheduler
from orchestrator.settings import Handback, Settings
from orchestrator.storable import MAX_ID_CHARS, replace_nul, unstorable, without_nul
from orchestrator.store import CUSTOMER_MESSAGE, DEAD, DONE, PENDING, Admission, KnownContent, Store
from orchestrator.store.intake_queue import Admit
from service_kit.metrics import event_type_label
from service_kit.rich_errors import ORCHESTRATOR
from service_kit.tracing import current_traceparent

log = logging.getLogger(__name__)
_Context = grpc.aio.ServicerContext[Any, Any]

# The intake outcome of an event kept in quarantine rather than stored.
QUARANTINED = "quarantined"


@dataclass(frozen=True, kw_only=True)
class _Admitted(Admission):
    """An event's admission, with the intake's decision on it and why its hold is what it is (empty: not pending,
    or no ordering window)."""

    decision: IntakeDecision
    evidence: str = ""


@dataclass(frozen=True)
class _Delivery:
    """What the intake knows of a delivery's events before the store is read, each by event id: the intake's decision
    and how late it came (seconds after its `issued_at`; None: unknown); the delivery's contents, each with whether a
    customer wrote it; and how late the events before it came (`recent`: the least and greatest lateness,
    orchestrator/delivery_lateness.py)."""

    decisions: Mapping[str, IntakeDecision]
    lateness: Mapping[str, float | None]
    contents: Mapping[str, bool]
    recent: tuple[float, float] | None


class Intake:
    """Takes a delivery in: stores each event with its initial state (pending, done: not for the bot and why, dead:
    malformed) and quarantines, each on its own with the reason, what cannot be stored as an event.

    `hold_seconds` is the ordering window: the longest an event waits for earlier ones of its thread while deliveries
    come about as late as each other, growing up to `hold_max_seconds` while they do not; `on_pending` is called when
    a new event waits for processing; `handback` keeps the events that may hand a thread back to the bot (HANDBACK)."""

    def __init__(
        self,
        store: Store,
        bot_source_ids: Iterable[str],
        hold_seconds: float,
        on_pending: Callable[[], None],
        *,
        hold_max_seconds: float,
        handback: bool = False,
    ) -> None:
        self._store = store
        self._bot_source_ids = frozenset(bot_source_ids)
        self._hold_seconds = hold_seconds
        self._hold_max_seconds = hold_max_seconds
        self._lateness = DeliveryLateness()
        DELIVERY_LATENESS_SPREAD.set_function(self._lateness.spread)
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
        now = time.time()
        first_of_each = list(reversed(events))  # in a dict built from it, an event id's first event wins
        seen = _Delivery(
            {event.id: decide(event, self._bot_source_ids, self._handback) for event in first_of_each},
            {event.id: _lateness(event, now) for event in first_of_each},
            {e.content.id: e.type == CUSTOMER_MESSAGE for e in events if e.content.id},
            self._lateness.bounds(),
        )
        admit = functools.partial(self._admit, seen)
        asks = self._asks(events, seen.decisions)
        admitted: Sequence[tuple[_Admitted, bool] | None]
        try:
            admitted = await self._store.accept(events, delivery_id, admit, asks, traceparent)
        except Exception as error:  # one event may be what the store refuses: the others must still be kept
            if store_unwell(error):
                raise
            log.warning("the store refused the delivery's events together: storing them one at a time", exc_info=True)
            admitted = [await self._store_alone(delivery, delivery_id, one, admit, seen, traceparent) for one in kept]
        self._lateness.record(
            (
                late
                for (_, event), one in zip(kept, admitted, strict=True)
                if one and one[1] and one[0].state == PENDING and (late := seen.lateness[event.id]) is not None
            )
        )
        for (receipt, event), one in zip(kept, admitted, strict=True):
            if one is None:
                continue
            admission, is_new = one
            receipt.disposition = pb.EVENT_DISPOSITION_ACCEPTED if is_new else pb.EVENT_DISPOSITION_DUPLICATE
            _log_and_count(event, admission.decision, is_new)
            if is_new and admission.evidence:
                ORDERING_EVIDENCE.labels(admission.evidence).inc()
        if any(one and one[1] and one[0].state == PENDING for one in admitted):
            self._on_pending()

    async def _store_alone(
        self,
        delivery: events_pb2.Delivery,
        delivery_id: str,
        kept: tuple[pb.EventReceipt, events_pb2.Event],
        admit: Admit[_Admitted],
        seen: _Delivery,
        traceparent: str,
    ) -> tuple[_Admitted, bool] | None:
        """Stores one event: its admission and whether it is new, or None when the store refused it and it was
        quarantined instead (raises when the store cannot write now, or takes neither: it is unwell, not refusing
        this event)."""
        receipt, event = kept
        try:
            [one] = await self._store.accept(
                [event], delivery_id, admit, self._asks([event], seen.decisions), traceparent
            )
            return one
        except Exception as error:  # quarantined below, or raised if the quarantine fails too
            if store_unwell(error):
                raise
            refusal = f"the store refused the event ({type(error).__name__})"
        [receipt.quarantine_id] = await self._store.quarantine([(_alone(delivery, event), refusal)])
        receipt.disposition = pb.EVENT_DISPOSITION_QUARANTINED
        _count(event, QUARANTINED, "store_refused", refusal, logging.ERROR)
        return None

    def _asks(self, events: Sequence[events_pb2.Event], decisions: Mapping[str, IntakeDecision]) -> set[str]:
        """The contents whose knowledge may change how an event to process is taken in: an echo's own content (is it
        the bot's reply?) and, with the ordering window on, the content each event follows."""
        asks = set()
        for event in events:
            if decisions[event.id].process:
                asks |= {event.content.id} if event.type in REPLY_EVENTS else set()
                asks |= {event.content.in_reply_to_id} if self._hold_seconds else set()
        return asks - {""}

    def _admit(self, seen: _Delivery, event: events_pb2.Event, known: Mapping[str, KnownContent]) -> _Admitted:
        """The event's initial state (pending, done: not for the bot and why, dead: malformed) and hold, from the
        event, what was seen of its delivery (`seen`) and what the store knows (`known`, read in the transaction that
        stores it).

        Dimelo echoes each bot reply (content.replied): when the reply is already known, the echo needs no processing
        (an echo that outruns the reply's record is recognised when processed). A pending event is held when an
        earlier event of its thread may still come (orchestrator/ordering.py)."""
        decision = seen.decisions[event.id]
        replied = known.get(event.content.id) if event.type in REPLY_EVENTS else None
        if decision.process and replied is not None and replied.posted_by_bot:
            decision = OWN_REPLY
        if not decision.process:
            return _Admitted(DEAD if decision.malformed else DONE, decision.reason, decision=decision)
        if not self._hold_seconds:
            return _Admitted(PENDING, decision=decision)
        content_id = event.content.in_reply_to_id
        predecessor = known.get(content_id)
        if content_id in seen.contents:  # it arrives now, with this event
            predecessor = KnownContent(seen.contents[content_id] or bool(predecessor and predecessor.customer))
        window = ordering.window(self._hold_seconds, self._hold_max_seconds, seen.lateness[event.id], seen.recent)
        why, hold = ordering.hold(event, predecessor, window)
        return _Admitted(PENDING, hold=hold, decision=decision, evidence=why)


class IntakeServicer(orchestrator_pb2_grpc.OrchestratorServiceServicer):
    """The gRPC face of the intake; a new pending event wakes the scheduler."""

    def __init__(self, settings: Settings, store: Store, scheduler: Scheduler) -> None:
        self._intake = Intake(
            store,
            settings.bot_source_ids,
            settings.ordering_window_seconds,
            scheduler.wake,
            handback=settings.handback is Handback.ON,
            hold_max_seconds=settings.ordering_window_max_seconds,
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


def _lateness(event: events_pb2.Event, now: float) -> float | None:
    """How long after Dimelo issued it the event arrived at `now` (None: it carries no `issued_at`)."""
    return now - event.issued_at.ToMicroseconds() / 1e6 if event.HasField("issued_at") else None


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
