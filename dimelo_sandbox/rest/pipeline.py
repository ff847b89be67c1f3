"""What every REST call goes through: faults, parameters, token, rate limit, the handler, the request log."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from dimelo_sandbox.auth import authenticate, require
from dimelo_sandbox.errors import ApiError, rate_limited
from dimelo_sandbox.faults import FaultDraw
from dimelo_sandbox.forms import Params, parse_params
from dimelo_sandbox.model import User
from dimelo_sandbox.responses import error_response, json_response
from dimelo_sandbox.sandbox import Sandbox

log = logging.getLogger(__name__)

_INJECTED = {
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


@dataclass
class Call:
    """One authenticated REST call, as a handler sees it."""

    sandbox: Sandbox
    user: User
    params: Params
    path: dict[str, Any]


Handler = Callable[[Call], Any]


def _injected_error(status: int) -> ApiError:
    return ApiError(status, _INJECTED.get(status, "server_error"), "injected fault: the service is unavailable")


def _timeout() -> ApiError:
    return ApiError(504, "gateway_timeout", "injected fault: the request timed out")


async def _answer(
    sb: Sandbox, request: Request, handler: Handler, permission: tuple[str, str] | None, draw: FaultDraw, body: bytes
) -> Response:
    """The call's answer, after the faults drawn for it; counted in the stats."""
    started = time.perf_counter()
    method, path = request.method, request.url.path
    user_id = None
    try:
        if draw.latency:
            await asyncio.sleep(draw.latency)
        if draw.outcome == "error":
            raise _injected_error(draw.rule.error_status)
        if draw.outcome == "429":
            raise rate_limited(sb.tunables.rate_limit or 500)
        if draw.outcome == "timeout_before":
            await asyncio.sleep(draw.rule.timeout_seconds)
            raise _timeout()
        params = parse_params(request.scope["query_string"], body, request.headers.get("content-type"))
        user = authenticate(sb.world, request.headers, params)
        user_id = user.id
        if not sb.limiter.allow():
            raise rate_limited(sb.tunables.rate_limit)
        if permission is not None:
            require(user, *permission)
        data = handler(Call(sb, user, params, request.path_params))
        if draw.outcome == "timeout_after":
            await asyncio.sleep(draw.rule.timeout_seconds)
            raise _timeout()
        response = json_response(data)
    except ApiError as error:
        response = error_response(error)
    except Exception:
        log.exception("unexpected error on %s %s", method, path)
        response = error_response(ApiError(500, "internal_server_error", "unexpected sandbox error"))
    sb.stats.record_request(method, path, user_id, response.status_code, started)
    return response


def rest_endpoint(
    handler: Handler, permission: tuple[str, str] | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """Wraps a handler (Call -> JSON data) into a Starlette endpoint; `permission` is (name, action refused)."""

    async def endpoint(request: Request) -> Response:
        sb: Sandbox = request.app.state.sandbox
        method, path = request.method, request.url.path
        draw = sb.faults.draw(method, path)
        body = await request.body()
        response: Response | None = None
        try:
            response = await _answer(sb, request, handler, permission, draw, body)
            return response
        finally:  # also when the client went away first: the request is recorded, without an answer
            content_type = request.headers.get("content-type", "")
            sb.recorder.rest(method, path, request.scope["query_string"], content_type, body, response)

    return endpoint
