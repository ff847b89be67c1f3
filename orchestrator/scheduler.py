"""Runs stored events: one at a time per thread, in issued_at order; many threads at once; retries with backoff."""

import asyncio
import contextlib
import logging
import random
import time

import grpc
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from orchestrator.conversation import ConversationHandler
from orchestrator.database import STORE_ERRORS
from orchestrator.errors import describe, earliest_retry, is_transient
from orchestrator.metrics import (
    DEAD_LETTERS_TOTAL,
    EVENT_LATENCY_SECONDS,
    EVENTS_PROCESSED,
    LEASES_LOST,
    PROCESSING_SECONDS,
)
from orchestrator.settings import Settings
from orchestrator.store import DEAD, DONE, Lease, LeaseLost, Store, StoredEvent, UnitOfWork
from orchestrator.supervision import Supervisor
from service_kit.logs import log_fields
from service_kit.metrics import event_type_label
from service_kit.tracing import context_from_traceparent, tracer

log = logging.getLogger(__name__)
LOOP_NAME = "scheduler"


def retry_delay(failed_attempts: int, base: float, longest: float, earliest: float = 0.0) -> float:
    """Seconds before the next attempt of an event that failed `failed_attempts` times before this failure: the
    exponential backoff (base, 2 base, 4 base, ...) capped at `longest`, jittered into its upper half so that
    events failing together do not come back together; and not before `earliest`, when the peer said a retry could
    work (Dimelo's Retry-After), within `longest` still."""
    delay = min(longest, base * 2**failed_attempts)
    return max(random.uniform(delay / 2, delay), min(longest, earliest))


class Scheduler:
    """Pulls due events from the store and hands each to the conversation handler, under supervision: its loops
    outlive store outages (backing off), and each event either ends (done, handed over or, loudly, dead) or stays
    pending for a later attempt."""

    def __init__(self, settings: Settings, store: Store, handler: ConversationHandler, supervisor: Supervisor) -> None:
        self._settings = settings
        self._store = store
        self._handler = handler
        self._supervisor = supervisor
        self._busy: dict[str, asyncio.Task[None]] = {}
        self._leases: dict[str, Lease] = {}
        self._wakeup = asyncio.Event()
        self._stopping = False

    def start(self) -> None:
        self._supervisor.run(LOOP_NAME, self._claim_and_start)
        self._supervisor.run("lease_renewal", self._renew_leases)
        self._supervisor.run("new_events", self._listen_for_new_events)

    def alive(self) -> bool:
        """The scheduling loop runs (it may be backing off from a store outage) and no loop failed the process."""
        return self._supervisor.alive(LOOP_NAME) and not self._supervisor.failed.is_set()

    def wake(self) -> None:
        """Called when new events are stored or a thread becomes free."""
        self._wakeup.set()

    async def stop(self, grace: float) -> None:
        """Takes no new work, lets in-flight events finish for `grace` seconds, then cancels them (they stay
        pending)."""
        self._stopping = True
        self.wake()
        await self._supervisor.wait(LOOP_NAME)
        in_flight = list(self._busy.values())
        if in_flight:
            _, late = await asyncio.wait(in_flight, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _listen_for_new_events(self) -> bool:
        """Wakes the scheduler whenever a replica stores pending events (PostgreSQL's NOTIFY), listening again
        after a backoff when the listening connection breaks; with SQLite, only this replica's intake stores."""
        return await self._store.listen_for_new_events(self.wake, self._settings.store_poll_seconds)

    async def _renew_leases(self) -> bool:
        """Keeps this replica's claim on the threads it is working on."""
        await asyncio.sleep(self._settings.lease_seconds / 3)
        await self._store.renew_leases(list(self._leases.values()))
        return True

    async def _claim_and_start(self) -> bool:
        """One turn of the scheduling loop: claims due threads and starts them, or sleeps until work is due."""
        if self._stopping:
            return False
        self._wakeup.clear()
        room = self._settings.max_parallel_threads - len(self._busy)
        batch = await self._store.claim_next(self._busy.keys(), room) if room > 0 else []
        for stored in batch:
            self._leases[stored.thread_id] = stored.lease
            self._busy[stored.thread_id] = asyncio.create_task(self._process(stored), name=f"thread {stored.thread_id}")
        if not batch:
            await self._sleep_until_due()
        return True

    async def _sleep_until_due(self) -> None:
        room = len(self._busy) < self._settings.max_parallel_threads
        due = await self._store.seconds_until_due(self._busy.keys()) if room else None
        poll = self._settings.store_poll_seconds
        delay = poll if due is None else min(poll, max(0.0, due))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout=delay)

    async def _process(self, stored: StoredEvent) -> None:
        """Processes one event in a span continuing the trace it arrived in; every log line inside carries its ids."""
        event = stored.event
        ids = {"event_id": event.id, "thread_id": stored.thread_id, "content_id": event.content.id}
        with (
            tracer.start_as_current_span(
                "process event",
                context=context_from_traceparent(stored.traceparent),
                attributes={**ids, "event_type": event.type, "attempt": stored.attempts + 1},
                record_exception=False,
                set_status_on_exception=False,
            ) as span,
            log_fields(**ids),
        ):
            started = time.perf_counter()
            result = ""  # set once the event is finished or rescheduled, which also releases its thread
            try:
                result = await self._attempt(stored, span)
            except asyncio.CancelledError:
                log.info("processing interrupted by shutdown; will resume")
                raise
            except LeaseLost as error:
                LEASES_LOST.inc()
                log.warning("stopped: %s; the replica holding it now goes on", error)
                result = "lease_lost"
            except STORE_ERRORS as error:
                log.warning("the store could not record the end of processing; will resume: %s", describe(error))
            except Exception:  # never a silent end: logged, and the event stays pending
                log.exception("processing ended unexpectedly; the event stays pending and is tried again")
            finally:
                self._busy.pop(stored.thread_id, None)
                self._leases.pop(stored.thread_id, None)
                if not result:
                    with contextlib.suppress(*STORE_ERRORS):  # else the lease expires by itself
                        await asyncio.shield(self._store.release(stored.lease))
                self.wake()
            span.set_attribute("outcome", result or "interrupted")
            if not result:
                return
            EVENTS_PROCESSED.labels(event_type_label(event.type), result).inc()
            PROCESSING_SECONDS.observe(time.perf_counter() - started)
            if result not in ("retry", "lease_lost") and stored.received_at:
                EVENT_LATENCY_SECONDS.observe(max(0.0, time.time() - stored.received_at))

    async def _attempt(self, stored: StoredEvent, span: trace.Span) -> str:
        """Handles the event and records how it ended, in one commit with what processing left to record (its
        UnitOfWork's writes not committed yet); returns the outcome code."""
        work = UnitOfWork(self._store, stored.lease)
        try:
            outcome = await self._handler.handle(stored, work)
        except (asyncio.CancelledError, LeaseLost):
            raise
        except Exception as error:  # noqa: BLE001 - every failure is retried, handed over or dead-lettered
            span.set_status(Status(StatusCode.ERROR, describe(error)))
            return await self._failed(stored, error, work)
        await work.finish(stored.event.id, DONE, outcome.text)
        log.info("processed: %s", outcome.text, extra={"outcome": outcome.code})
        return outcome.code

    async def _failed(self, stored: StoredEvent, error: Exception, work: UnitOfWork) -> str:
        """Schedules a retry ("retry"); when processing failed for good, hands the thread to the agents
        ("handed_over"), and only when even that fails makes a dead letter ("dead"), loudly."""
        reason = describe(error)
        attempts = stored.attempts + 1
        if is_transient(error) and attempts < self._settings.max_attempts:
            base, longest = self._settings.retry_base_seconds, self._settings.retry_max_seconds
            delay = retry_delay(stored.attempts, base, longest, earliest_retry(error))
            await work.retry_later(stored.event.id, delay, f"retrying: {reason}")
            log.warning("attempt %d failed, retrying in %.1f s: %s", attempts, delay, reason)
            return "retry"
        log.warning(
            "processing failed for good after %d attempt(s), handing over: %s",
            attempts,
            reason,
            exc_info=not isinstance(error, grpc.aio.AioRpcError),
        )
        try:
            outcome = await self._handler.hand_over_after_failure(stored, reason, work)
        except (asyncio.CancelledError, LeaseLost):
            raise
        except Exception as handover_error:  # noqa: BLE001 - the handover failing too is what a dead letter is for
            reason = f"{reason}; handover failed: {describe(handover_error)}"
        else:
            if outcome is not None:
                await work.finish(stored.event.id, DONE, outcome.text)
                log.info("processed: %s", outcome.text, extra={"outcome": outcome.code})
                return outcome.code
        await work.finish(stored.event.id, DEAD, reason)
        DEAD_LETTERS_TOTAL.labels(event_type_label(stored.event.type)).inc()
        log.error("dead letter after %d attempt(s), nobody was told: %s", attempts, reason)
        return "dead"
