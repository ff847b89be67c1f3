"""Runs stored events: one at a time per thread, in issued_at order; many threads at once; retries with backoff."""

import asyncio
import logging
import random
import time

import grpc
from opentelemetry.trace import Status, StatusCode

from orchestrator.conversation import ConversationHandler
from orchestrator.errors import describe, is_transient
from orchestrator.metrics import EVENT_LATENCY_SECONDS, EVENTS_PROCESSED, PROCESSING_SECONDS
from orchestrator.settings import Settings
from orchestrator.store import DEAD, DONE, Store, StoredEvent
from service_kit.logs import log_fields
from service_kit.metrics import event_type_label
from service_kit.tracing import context_from_traceparent, tracer

log = logging.getLogger(__name__)
IDLE_POLL_SECONDS = 5.0


class Scheduler:
    """Pulls due events from the store and hands each to the conversation handler."""

    def __init__(self, settings: Settings, store: Store, handler: ConversationHandler) -> None:
        self._settings = settings
        self._store = store
        self._handler = handler
        self._busy: dict[str, asyncio.Task] = {}
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._loop_task: asyncio.Task | None = None
        self._renewal_task: asyncio.Task | None = None

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="scheduler")
        self._renewal_task = asyncio.create_task(self._renew_leases(), name="lease renewal")

    def wake(self) -> None:
        """Called when new events are stored or a thread becomes free."""
        self._wakeup.set()

    async def stop(self, grace: float) -> None:
        """Takes no new work, lets in-flight events finish for `grace` seconds, then cancels them (they stay pending)."""
        self._stopping = True
        self.wake()
        if self._loop_task:
            await self._loop_task
        in_flight = list(self._busy.values())
        if in_flight:
            _, late = await asyncio.wait(in_flight, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._renewal_task:
            self._renewal_task.cancel()

    async def _renew_leases(self) -> None:
        """Keeps this replica's claim on the threads it is working on."""
        while True:
            await asyncio.sleep(self._settings.lease_seconds / 3)
            try:
                await self._store.renew_leases(list(self._busy))
            except Exception:  # noqa: BLE001 - a missed renewal is retried at the next tick
                log.warning("lease renewal failed", exc_info=True)

    async def _run(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            room = self._settings.max_parallel_threads - len(self._busy)
            batch = await self._store.claim_next(self._busy.keys(), room) if room > 0 else []
            for stored in batch:
                task = asyncio.create_task(self._process(stored), name=f"thread {stored.thread_id}")
                self._busy[stored.thread_id] = task
            if not batch:
                await self._sleep_until_due()

    async def _sleep_until_due(self) -> None:
        due = await self._store.next_due_at() if len(self._busy) < self._settings.max_parallel_threads else None
        delay = IDLE_POLL_SECONDS if due is None else min(IDLE_POLL_SECONDS, max(0.0, due - time.time()))
        try:
            await asyncio.wait_for(self._wakeup.wait(), timeout=delay)
        except TimeoutError:
            pass

    async def _process(self, stored: StoredEvent) -> None:
        """Processes one event in a span continuing the trace it arrived in; every log line inside carries its ids."""
        event = stored.event
        ids = {"event_id": event.id, "thread_id": stored.thread_id, "content_id": event.content.id}
        with (
            tracer.start_as_current_span(
                "process event", context=context_from_traceparent(stored.traceparent),
                attributes={**ids, "event_type": event.type, "attempt": stored.attempts + 1},
                record_exception=False, set_status_on_exception=False,
            ) as span,
            log_fields(**ids),
        ):  # fmt: skip
            started = time.perf_counter()
            result = ""  # set once the event is finished or rescheduled, which also releases its thread
            try:
                outcome = await self._handler.handle(stored)
            except asyncio.CancelledError:
                log.info("processing interrupted by shutdown; will resume")
                raise
            except Exception as error:  # noqa: BLE001 - every failure is either retried or dead-lettered, never lost
                span.set_status(Status(StatusCode.ERROR, describe(error)))
                result = await self._failed(stored, error)
            else:
                await self._store.finish(event.id, DONE, outcome.text, stored.thread_id)
                log.info("processed: %s", outcome.text, extra={"outcome": outcome.code})
                result = outcome.code
            finally:
                self._busy.pop(stored.thread_id, None)
                if not result:
                    await asyncio.shield(self._store.release(stored.thread_id))
                self.wake()
            span.set_attribute("outcome", result)
            EVENTS_PROCESSED.labels(event_type_label(event.type), result).inc()
            PROCESSING_SECONDS.observe(time.perf_counter() - started)
            if result != "retry" and stored.received_at:
                EVENT_LATENCY_SECONDS.observe(max(0.0, time.time() - stored.received_at))

    async def _failed(self, stored: StoredEvent, error: Exception) -> str:
        """Schedules a retry ("retry") or makes a dead letter ("dead")."""
        reason = describe(error)
        attempts = stored.attempts + 1
        if is_transient(error) and attempts < self._settings.max_attempts:
            delay = min(self._settings.retry_max_seconds, self._settings.retry_base_seconds * 2 ** stored.attempts)
            delay = random.uniform(delay / 2, delay)
            await self._store.retry_later(stored.event.id, delay, f"retrying: {reason}", stored.thread_id)
            log.warning("attempt %d failed, retrying in %.1f s: %s", attempts, delay, reason)
            return "retry"
        await self._store.finish(stored.event.id, DEAD, reason, stored.thread_id)
        log.error(
            "dead letter after %d attempt(s): %s", attempts, reason,
            exc_info=not isinstance(error, grpc.aio.AioRpcError),
        )  # fmt: skip
        return "dead"

