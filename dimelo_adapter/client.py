"""Dimelo's REST API over one pooled HTTP client: the token, timeouts, the call budget, a concurrency limit and the
retry policy. Every attempt waits for a slot of the account's call budget (budget.py).

A failed call is tried again (exponential backoff with full jitter, or Dimelo's Retry-After on 429 and 503) when
sending it again is harmless: for an idempotent endpoint after a network error, a 429 or a 5xx (and a 409 where
it means "job in progress"); for the others only when Dimelo certainly did not process it (no connection, or 429).
"""

import asyncio
import email.utils
import logging
import time
import urllib.request
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import tenacity
from opentelemetry.trace import SpanKind, Status, StatusCode

from dimelo_adapter import endpoints
from dimelo_adapter.asyncio_network import pooled_transport
from dimelo_adapter.budget import CallBudget, LocalPacer, Pace, Pacer
from dimelo_adapter.endpoints import Endpoint
from dimelo_adapter.errors import DimeloCallError, DimeloRefused, DimeloUnreachable, UnreadableAnswer
from dimelo_adapter.metrics import DIMELO_LAST_ANSWER, DIMELO_REQUEST_SECONDS, DIMELO_REQUESTS, DIMELO_RETRIES
from dimelo_adapter.settings import AdapterSettings
from dimelo_adapter.shared_pacer import SharedPacer
from service_kit.logs import MASK
from service_kit.tracing import tracer

log = logging.getLogger(__name__)

PAGE_SIZE = 150  # Dimelo's largest page
MAX_PAGES = 200  # no listing the adapter needs is longer; an endless one must not hold a call forever
_TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_MAX_MESSAGE_CHARS = 300

Sleep = Callable[[float], Awaitable[None]]
Json = dict[str, Any]
Form = dict[str, str | list[str]]  # a list value is sent as one field per item


class DimeloClient:
    """One method per Dimelo operation; each returns Dimelo's JSON, or raises a DimeloCallError or UnreadableAnswer."""

    def __init__(
        self,
        settings: AdapterSettings,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._token = settings.dimelo_access_token.get_secret_value()
        limits = httpx.Limits(
            max_connections=settings.dimelo_max_concurrency, keepalive_expiry=settings.dimelo_keepalive_seconds
        )
        self._http = httpx.AsyncClient(
            base_url=settings.dimelo_api_url,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            timeout=httpx.Timeout(settings.dimelo_timeout_seconds),
            limits=limits,
            transport=transport or (None if _proxy_configured() else pooled_transport(limits)),
        )
        self._slots = asyncio.Semaphore(settings.dimelo_max_concurrency)
        self._budget = CallBudget(_pacer(settings))
        self._max_retries = settings.dimelo_max_retries
        self._max_wait = settings.dimelo_retry_max_wait_seconds
        self._backoff = tenacity.wait_random_exponential(
            multiplier=settings.dimelo_retry_base_seconds, max=settings.dimelo_retry_max_wait_seconds
        )
        self._sleep = sleep

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._budget.aclose()

    async def create_reply(
        self, in_reply_to_id: str, body: str, private: bool, author_id: str, structured: Json | None = None
    ) -> Json:
        """A structured message goes as JSON (the reference's only way to send one), plain text as a form."""
        form = {"in_reply_to_id": in_reply_to_id, "body": body}
        if private:
            form["private"] = "1"
        if author_id:
            form["author_id"] = author_id
        if structured:
            return await self._object(endpoints.CREATE_CONTENT, json={**form, "structured_content": structured})
        return await self._object(endpoints.CREATE_CONTENT, data=form)

    def search_contents(self, query: str) -> AsyncGenerator[Json, None]:
        """Contents matching a `q` search (`thread:"…"`, `intervention:"…"`), newest first, page after page: stop
        iterating (and close the generator) as soon as you have the answer, so no further page is asked for."""
        return self._records(endpoints.SEARCH_CONTENTS, {"q": query})

    async def open_intervention(self, content_id: str) -> Json:
        return await self._object(endpoints.OPEN_INTERVENTION, data={"content_id": content_id})

    def thread_interventions(self, thread_id: str) -> AsyncGenerator[Json, None]:
        return self._records(endpoints.LIST_INTERVENTIONS, {"thread_id": thread_id})

    async def close_intervention(self, intervention_id: str) -> Json:
        return await self._object(endpoints.CLOSE_INTERVENTION, intervention_id)

    async def get_intervention(self, intervention_id: str) -> Json:
        return await self._object(endpoints.GET_INTERVENTION, intervention_id)

    async def create_intervention_comment(self, intervention_id: str, user_id: str, body: str) -> Json:
        form = {"intervention_id": intervention_id, "user_id": user_id, "body": body}
        return await self._object(endpoints.CREATE_INTERVENTION_COMMENT, data=form)

    async def close_thread(self, thread_id: str) -> Json:
        return await self._object(endpoints.CLOSE_THREAD, thread_id)

    async def update_thread_categories(self, thread_id: str, category_ids: Sequence[str]) -> Json:
        """Sends `thread_category_ids[]` once per category; to clear them, once with an empty value (a form cannot
        carry an empty list, and a missing parameter could read as "leave them as they are")."""
        form = {"thread_category_ids[]": list(category_ids) or [""]}
        return await self._object(endpoints.UPDATE_THREAD_CATEGORIES, thread_id, data=form)

    async def agent_statuses(self) -> list[Json]:
        """One entry per connected agent, with its `channels`."""
        answer = await self._call(endpoints.AGENT_STATUS)
        if not isinstance(answer, list):
            raise UnreadableAnswer(f"{endpoints.AGENT_STATUS}: Dimelo answered {type(answer).__name__}, not a list")
        return [agent for agent in answer if isinstance(agent, dict)]

    async def get_content(self, content_id: str) -> Json:
        return await self._object(endpoints.GET_CONTENT, content_id)

    async def get_thread(self, thread_id: str) -> Json:
        return await self._object(endpoints.GET_THREAD, thread_id)

    async def get_source(self, source_id: str) -> Json:
        return await self._object(endpoints.GET_SOURCE, source_id)

    async def get_channel(self, channel_id: str) -> Json:
        return await self._object(endpoints.GET_CHANNEL, channel_id)

    async def own_user(self) -> Json:
        """The token's user (`/1.0/users/me`): the bot."""
        return await self._object(endpoints.GET_OWN_USER)

    async def _records(self, endpoint: Endpoint, params: dict[str, str] | None = None) -> AsyncGenerator[Json, None]:
        """Every record of a paginated list (`{"count", "offset", "limit", "records"}`), page after page."""
        offset = 0
        for _ in range(MAX_PAGES):
            page = await self._object(endpoint, params={**(params or {}), "offset": offset, "limit": PAGE_SIZE})
            records = page.get("records")
            if not isinstance(records, list):
                raise UnreadableAnswer(f"{endpoint}: Dimelo answered a list without its 'records'")
            for record in records:
                if isinstance(record, dict):
                    yield record
            offset += len(records)
            count = page.get("count")
            if not records or (offset >= count if isinstance(count, int) else len(records) < PAGE_SIZE):
                return
        raise UnreadableAnswer(f"{endpoint}: the list goes on beyond {MAX_PAGES} pages of {PAGE_SIZE}; stopped there")

    async def _object(self, endpoint: Endpoint, object_id: str = "", **request: Any) -> Json:
        answer = await self._call(endpoint, object_id, **request)
        if not isinstance(answer, dict):
            raise UnreadableAnswer(f"{endpoint}: Dimelo answered {type(answer).__name__}, not an object")
        return answer

    async def _call(
        self,
        endpoint: Endpoint,
        object_id: str = "",
        params: dict[str, Any] | None = None,
        data: Form | None = None,
        json: Json | None = None,
    ) -> Any:
        """Dimelo's parsed JSON answer, after as many tries as the endpoint's retry policy allows."""
        path = endpoint.path(object_id)
        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self._max_retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception(lambda error: self._may_retry(endpoint, error)),
            before_sleep=_log_retry,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return await retrying(self._send, endpoint, path, params, data, json)
        except DimeloCallError as error:
            error.attempts = retrying.statistics["attempt_number"]
            raise

    async def _send(
        self, endpoint: Endpoint, path: str, params: dict[str, Any] | None, data: Form | None, json: Json | None
    ) -> Any:
        """One HTTP request (one attempt), counted, timed and traced."""
        operation = str(endpoint)
        attributes = {"http.request.method": endpoint.method, "url.path": path}
        with tracer.start_as_current_span(
            f"Dimelo {operation}",
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            await self._budget.take(endpoint.priority)
            async with self._slots:
                started = time.perf_counter()
                try:
                    response = await self._http.request(endpoint.method, path, params=params, data=data, json=json)
                except httpx.TransportError as error:
                    unreachable = DimeloUnreachable(endpoint, path, error, self._redact(str(error)))
                    _count(operation, status_label(unreachable), started)
                    span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                    raise unreachable from error
            _count(operation, str(response.status_code), started)
            DIMELO_LAST_ANSWER.set_to_current_time()
            span.set_attribute("http.response.status_code", response.status_code)
            if not response.is_success:
                span.set_status(Status(StatusCode.ERROR, str(response.status_code)))
        if not response.is_success:
            raise self._refusal(endpoint, path, response)
        try:
            return response.json()
        except ValueError:
            answer = f"{endpoint.method} {path}: Dimelo answered {response.status_code} with a body that is not JSON"
            raise UnreadableAnswer("; ".join(filter(None, [answer, endpoint.if_unsure]))) from None

    def _refusal(self, endpoint: Endpoint, path: str, response: httpx.Response) -> DimeloRefused:
        identifier, message = _error_fields(response)
        retry_after = _retry_after(response) if response.status_code in _RETRY_AFTER_STATUSES else None
        return DimeloRefused(
            endpoint, path, response.status_code, self._redact(identifier), self._redact(message), retry_after
        )

    def _redact(self, text: str) -> str:
        """Dimelo's own words with the token masked, should they ever quote it."""
        return text.replace(self._token, MASK) if self._token else text

    def _may_retry(self, endpoint: Endpoint, error: BaseException) -> bool:
        if isinstance(error, DimeloUnreachable):
            return endpoint.idempotent or not error.may_have_reached_dimelo
        if not isinstance(error, DimeloRefused):
            return False
        if error.retry_after is not None and error.retry_after > self._max_wait:
            return False
        if error.status == 429:
            return True
        if not endpoint.idempotent:
            return False
        return error.status in _TRANSIENT_STATUSES or (error.status == 409 and endpoint.conflict_is_transient)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, DimeloRefused) and error.retry_after is not None:
            return error.retry_after
        return self._backoff(state)


def _pacer(settings: AdapterSettings) -> Pacer:
    """The account's budget, shared through PostgreSQL when the adapter has a database."""
    pace = Pace.of_budget(settings.dimelo_call_budget, settings.dimelo_call_budget_seconds)
    database_url = settings.adapter_database_url.get_secret_value()
    return SharedPacer(database_url, settings.dimelo_api_url, pace) if database_url else LocalPacer(pace)


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    """Dimelo's error identifier and message from `{"error", "message", "status"}`, or the start of a non-JSON body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return str(body.get("error") or ""), str(body.get("message") or "")[:_MAX_MESSAGE_CHARS]
    return "", " ".join(response.text.split())[:_MAX_MESSAGE_CHARS]


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _proxy_configured() -> bool:
    """HTTP_PROXY, HTTPS_PROXY or ALL_PROXY set: httpx goes through the proxy, on its own transport only."""
    return any(scheme != "no" for scheme in urllib.request.getproxies())


def _count(operation: str, status: str, started: float) -> None:
    DIMELO_REQUESTS.labels(operation, status).inc()
    DIMELO_REQUEST_SECONDS.labels(operation).observe(time.perf_counter() - started)


def status_label(error: DimeloCallError) -> str:
    """Dimelo's HTTP status, or "timeout" / "network_error" when no answer came: a metric label."""
    if isinstance(error, DimeloRefused):
        return str(error.status)
    if isinstance(error, DimeloUnreachable) and isinstance(error.cause, httpx.TimeoutException):
        return "timeout"
    return "network_error"


def _log_retry(state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, DimeloCallError):
        DIMELO_RETRIES.labels(str(error.endpoint), status_label(error)).inc()
    if isinstance(error, DimeloCallError) and state.next_action:
        log.info(
            "Dimelo call failed, trying again",
            extra={
                **error.log_fields(),
                "attempts": state.attempt_number,
                "reason": error.what(),
                "wait_seconds": round(state.next_action.sleep, 3),
            },
        )
