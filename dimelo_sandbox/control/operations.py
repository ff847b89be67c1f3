"""Running the sandbox: webhook endpoint, delivery behaviour, settings, faults, logs, stats, reset."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from dimelo_sandbox.control.common import ControlCall
from dimelo_sandbox.errors import ApiError

DELIVERY_SETTINGS = frozenset(
    {
        "duplicate_rate",
        "duplicate_copies",
        "reorder",
        "batch_max",
        "batch_window_ms",
        "time_scale",
        "disable_after_failures",
        "delivery_timeout",
    }
)
ALL_SETTINGS = DELIVERY_SETTINGS | {"rate_limit", "job_seconds"}
_WAIT_LIMIT_SECONDS = 60.0


async def configure_webhook(call: ControlCall) -> dict[str, Any]:
    """PUT /_sandbox/webhook {url, verify_token?, secret?, events?}: handshakes now; absent values: start-up ones."""
    config = call.sandbox.config
    url = call.field("url", str)
    if not url.startswith(("http://", "https://")):
        raise ApiError(400, "invalid_parameter", "url must be an http:// or https:// URL")
    verify_token = call.field("verify_token", str, config.verify_token.get_secret_value())
    default_secret = config.webhook_secret.get_secret_value() if config.webhook_secret else None
    secret = call.field("secret", str, None) if "secret" in call.body else default_secret
    events = call.string_list("events")
    endpoint = await call.sandbox.webhook.configure(
        url, verify_token, secret, frozenset(events) if events is not None else None
    )
    return endpoint.public()


def webhook_state(call: ControlCall) -> dict[str, Any]:
    """GET /_sandbox/webhook."""
    return call.sandbox.webhook.endpoint.public()


def remove_webhook(call: ControlCall) -> dict[str, Any]:
    """DELETE /_sandbox/webhook: no endpoint, events are dropped."""
    call.sandbox.webhook.remove()
    return call.sandbox.webhook.endpoint.public()


def _update(call: ControlCall, allowed: frozenset[str]) -> dict[str, Any]:
    unknown = set(call.body) - allowed
    if unknown:
        raise ApiError(400, "invalid_parameter", f"unknown setting(s) {sorted(unknown)}; known: {sorted(allowed)}")
    call.sandbox.tunables.update(call.body)
    return call.sandbox.tunables.as_dict()


def update_delivery(call: ControlCall) -> dict[str, Any]:
    """PUT /_sandbox/delivery {duplicate_rate, reorder, batch_max, batch_window_ms, time_scale, ...}."""
    return _update(call, DELIVERY_SETTINGS)


def update_settings(call: ControlCall) -> dict[str, Any]:
    """PUT /_sandbox/settings: any setting, including rate_limit and job_seconds."""
    return _update(call, ALL_SETTINGS)


def settings(call: ControlCall) -> dict[str, Any]:
    """GET /_sandbox/settings (also GET /_sandbox/delivery)."""
    return call.sandbox.tunables.as_dict()


def set_faults(call: ControlCall) -> dict[str, Any]:
    """PUT /_sandbox/faults {"<METHOD> <path pattern>" | "*": {error_rate, rate_429, timeout_rate, latency_ms, ...}}."""
    call.sandbox.faults.set(call.body)
    return call.sandbox.faults.as_dict()


def faults(call: ControlCall) -> dict[str, Any]:
    return call.sandbox.faults.as_dict()


def clear_faults(call: ControlCall) -> dict[str, Any]:
    call.sandbox.faults.clear()
    return {}


def _tail(call: ControlCall, records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The last `limit` records (query parameter, default all kept), oldest first."""
    items = list(records)
    limit = call.query.get("limit")
    if limit is not None:
        if not limit.isdigit():
            raise ApiError(400, "invalid_parameter", "limit must be a non-negative integer")
        items = items[len(items) - int(limit) :] if int(limit) else []
    return {"count": len(items), "records": items}


def deliveries(call: ControlCall) -> dict[str, Any]:
    """GET /_sandbox/deliveries: one record per webhook request or dropped event."""
    return _tail(call, call.sandbox.stats.deliveries)


def requests(call: ControlCall) -> dict[str, Any]:
    """GET /_sandbox/requests: method, path (no query string), token user, status."""
    return _tail(call, call.sandbox.stats.requests)


def stats(call: ControlCall) -> dict[str, Any]:
    sb = call.sandbox
    return {**sb.stats.as_dict(), "webhook": sb.webhook.endpoint.public(), "threads": len(sb.world.threads)}


def reset(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/reset {keep_webhook?: true}."""
    call.sandbox.reset(keep_webhook=call.field("keep_webhook", bool, True))
    return {"reset": True, "webhook": call.sandbox.webhook.endpoint.public()}


async def _wait(call: ControlCall, idle: Callable[[], Awaitable[None]], what: str) -> dict[str, Any]:
    timeout = call.field("timeout", (int, float), 10.0)
    if not 0 < timeout <= _WAIT_LIMIT_SECONDS:
        raise ApiError(400, "invalid_parameter", f"timeout must be in (0, {_WAIT_LIMIT_SECONDS:g}] seconds")
    try:
        await asyncio.wait_for(idle(), timeout)
    except TimeoutError:
        raise ApiError(409, "still_pending", f"{what} still pending after {timeout:g} s") from None
    return {"idle": True}


async def wait_for_jobs(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/jobs/wait {timeout?}: returns once no asynchronous job (close, categorize, export) is pending."""
    return await _wait(call, call.sandbox.jobs.wait_idle, "jobs")


async def wait_for_deliveries(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/deliveries/wait {timeout?}: returns once no webhook request or retry is pending."""
    return await _wait(call, call.sandbox.webhook.idle, "deliveries")
