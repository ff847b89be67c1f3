"""Webhook delivery like Dimelo's: batched POSTs with X-Dimelo-Secret, retries, duplicates, disorder, disabling."""

import asyncio
import json
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx

from dimelo_sandbox.handshake import handshake, secret_header
from dimelo_sandbox.ids import IdFactory
from dimelo_sandbox.recorder import Recorder
from dimelo_sandbox.stats import Stats
from dimelo_sandbox.tunables import FAILURE_WINDOW_SECONDS, RETRY_WAITS, Tunables

log = logging.getLogger(__name__)

MAX_TRIES = len(RETRY_WAITS) + 1
_DUPLICATE_DELAY_SECONDS = 0.05
_WINDOW_CAP = 1000  # events gathered in one batching window, at most
_IDLE_ROUNDS = 10_000
# Requests in flight at most. While all are busy, events wait in the queue and the next request carries more of
# them: batches grow with the load, as Dimelo's buffering does, and httpx's pool is never flooded.
_MAX_IN_FLIGHT = 16


@dataclass
class Endpoint:
    """The configured endpoint; `generation` changes on every reconfiguration so stale retries are dropped."""

    url: str | None = None
    verify_token: str = ""
    secret: str | None = None
    events: frozenset[str] | None = None
    enabled: bool = False
    reason: str = "no webhook endpoint configured"
    generation: int = 0
    failures: deque[float] = field(default_factory=deque)

    def public(self) -> dict[str, Any]:
        """The state without the verify token or secret."""
        return {
            "url": self.url,
            "enabled": self.enabled,
            "reason": self.reason,
            "secret_set": self.secret is not None,
            "events": sorted(self.events) if self.events is not None else None,
            "failures": len(self.failures),
        }


class WebhookDeliverer:
    """Queues events and delivers them from background tasks; never blocks the caller."""

    def __init__(
        self,
        tunables: Tunables,
        ids: IdFactory,
        rng: random.Random,
        stats: Stats,
        domain_id: Callable[[], str],
        recorder: Recorder,
    ) -> None:
        self._tunables = tunables
        self._ids = ids
        self._rng = rng
        self._stats = stats
        self._domain_id = domain_id
        self._recorder = recorder
        self.endpoint = Endpoint()
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._batcher: asyncio.Task[None] | None = None
        self._batching = False
        self._slots = asyncio.Semaphore(_MAX_IN_FLIGHT)

    async def start(self) -> None:
        limits = httpx.Limits(max_connections=_MAX_IN_FLIGHT, max_keepalive_connections=_MAX_IN_FLIGHT)
        self._client = httpx.AsyncClient(limits=limits)
        self._batcher = asyncio.create_task(self._batch_forever())

    async def stop(self) -> None:
        running = list(self._tasks)
        if self._batcher is not None:
            self._batcher.cancel()
            running.append(self._batcher)
        self.drop_pending()
        await asyncio.gather(*running, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def drop_pending(self) -> None:
        """Forgets queued events and cancels deliveries and retries in flight."""
        while not self._queue.empty():
            self._queue.get_nowait()
        for task in self._tasks:
            task.cancel()

    # Configuration and handshake

    async def configure(
        self, url: str, verify_token: str, secret: str | None, events: frozenset[str] | None
    ) -> Endpoint:
        """Sets the endpoint and validates it with the handshake; a failed handshake leaves it disabled."""
        self.endpoint = Endpoint(url, verify_token, secret, events, generation=self.endpoint.generation + 1)
        self.drop_pending()
        generation = self.endpoint.generation
        assert self._client is not None
        challenge = self._ids.token()
        enabled, reason = await handshake(
            self._client, url, verify_token, secret, challenge, self._tunables.delivery_timeout
        )
        if self.endpoint.generation == generation:
            self.endpoint.enabled, self.endpoint.reason = enabled, reason
        log.info("webhook endpoint %s: %s", "enabled" if enabled else "disabled", reason, extra={"url": url})
        return self.endpoint

    def remove(self) -> None:
        self.endpoint = Endpoint(generation=self.endpoint.generation + 1)
        self.drop_pending()

    def _headers(self) -> dict[str, str]:
        return secret_header(self.endpoint.secret)

    # Delivery

    def publish(self, event: dict[str, Any]) -> None:
        """Hands an event over for delivery; logged as dropped when no enabled endpoint subscribes to it."""
        endpoint = self.endpoint
        if not endpoint.enabled:
            self._record([event], 0, None, "dropped", endpoint.reason, duplicate=False, request_id=None)
            return
        if endpoint.events is not None and event["type"] not in endpoint.events:
            return
        self._queue.put_nowait(event)

    async def _batch_forever(self) -> None:
        """Gathers events over the batching window, optionally shuffles them, and sends them in requests."""
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            self._batching = True
            deadline = loop.time() + self._tunables.batch_window_ms / 1000
            while len(batch) < _WINDOW_CAP:
                if not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            if self._tunables.reorder:
                self._rng.shuffle(batch)
            size = self._tunables.batch_max
            for start in range(0, len(batch), size):
                await self._slots.acquire()
                self._spawn(self._send(batch[start : start + size], 1, self.endpoint.generation, duplicate=False))
            self._batching = False

    async def idle(self) -> None:
        """Returns once no event is queued and no delivery, retry or duplicate is pending."""
        for _ in range(_IDLE_ROUNDS):
            if self._queue.empty() and not self._batching and not self._tasks:
                return
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            else:
                await asyncio.sleep(0.001)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _later(
        self, seconds: float, events: list[dict[str, Any]], attempt: int, generation: int, duplicate: bool
    ) -> None:
        await asyncio.sleep(seconds)
        await self._slots.acquire()
        await self._send(events, attempt, generation, duplicate)

    async def _send(self, events: list[dict[str, Any]], attempt: int, generation: int, duplicate: bool) -> None:
        """Sends one request; the caller has taken a slot, released here."""
        try:
            await self._attempt(events, attempt, generation, duplicate)
        finally:
            self._slots.release()

    async def _attempt(self, events: list[dict[str, Any]], attempt: int, generation: int, duplicate: bool) -> None:
        endpoint = self.endpoint
        if generation != endpoint.generation or not endpoint.enabled:
            self._record(events, attempt, None, "dropped", "endpoint reconfigured or disabled", duplicate, None)
            return
        assert self._client is not None and endpoint.url is not None
        request_id = self._ids.uuid()
        delivery = {"id": request_id, "domain_id": self._domain_id(), "events": events}
        self._recorder.delivery(delivery)
        body = json.dumps(delivery, ensure_ascii=False)
        headers = {"Content-Type": "application/json", **self._headers()}
        status, error = None, None
        try:
            answer = await self._client.post(
                endpoint.url, content=body.encode(), headers=headers, timeout=self._tunables.delivery_timeout
            )
            status = answer.status_code
        except httpx.TimeoutException:
            error = "timeout"
        except (httpx.HTTPError, httpx.InvalidURL) as failure:
            error = f"cannot reach the endpoint ({failure.__class__.__name__})"
        if generation != self.endpoint.generation:
            return
        if status == 200:
            self._record(events, attempt, status, "delivered", None, duplicate, request_id)
            if not duplicate and self._rng.random() < self._tunables.duplicate_rate:
                for copy in range(1, self._tunables.duplicate_copies + 1):
                    self._spawn(self._later(_DUPLICATE_DELAY_SECONDS * copy, events, 1, generation, duplicate=True))
            return
        self._record(events, attempt, status, "failed", error or f"HTTP {status}", duplicate, request_id)
        if self._count_failure():
            return
        if attempt < MAX_TRIES:
            wait = RETRY_WAITS[attempt - 1] * self._tunables.time_scale
            self._spawn(self._later(wait, events, attempt + 1, generation, duplicate))
        else:
            self._record(events, attempt, None, "dropped", f"gave up after {attempt} tries", duplicate, None)

    def _count_failure(self) -> bool:
        """Counts a failed request; True when that disables the endpoint (too many failures within 24 h, scaled)."""
        limit = self._tunables.disable_after_failures
        if limit == 0:
            return False
        now = time.monotonic()
        failures = self.endpoint.failures
        failures.append(now)
        horizon = now - FAILURE_WINDOW_SECONDS * self._tunables.time_scale
        while failures and failures[0] <= horizon:
            failures.popleft()
        if len(failures) < limit:
            return False
        self.endpoint.enabled = False
        self.endpoint.reason = f"disabled after {len(failures)} failed requests"
        log.warning("webhook endpoint disabled: %s", self.endpoint.reason)
        self.drop_pending()
        return True

    def _record(
        self,
        events: list[dict[str, Any]],
        attempt: int,
        status: int | None,
        outcome: str,
        error: str | None,
        duplicate: bool,
        request_id: str | None,
    ) -> None:
        self._stats.record_delivery(
            {
                "request_id": request_id,
                "event_ids": [e["id"] for e in events],
                "event_types": [e["type"] for e in events],
                "attempt": attempt,
                "duplicate": duplicate,
                "status": status,
                "outcome": outcome,
                "error": error,
            }
        )
