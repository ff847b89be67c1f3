"""The control API's plumbing: JSON bodies, typed fields with 400s, and the endpoint wrapper."""

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from dimelo_sandbox.errors import ApiError
from dimelo_sandbox.responses import error_response, json_response
from dimelo_sandbox.sandbox import Sandbox

log = logging.getLogger(__name__)
_MISSING = object()


@dataclass
class ControlCall:
    sandbox: Sandbox
    body: dict[str, Any]
    path: dict[str, Any]
    query: dict[str, str]

    def field(self, name: str, kind: type | tuple[type, ...], default: Any = _MISSING) -> Any:
        """The body field `name`, of type `kind` (or None when the default is None); 400 when absent or mistyped."""
        value = self.body.get(name, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise ApiError(400, "missing_parameter", f"field {name!r} is mandatory")
            return default
        if value is None and default is None:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            raise ApiError(400, "invalid_parameter", f"field {name!r} must be {_describe(kind)}")
        return value

    def string_list(self, name: str) -> list[str] | None:
        value = self.field(name, list, None)
        if value is not None and not all(isinstance(item, str) for item in value):
            raise ApiError(400, "invalid_parameter", f"field {name!r} must be a list of strings")
        strings: list[str] | None = value
        return strings


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _describe(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _as_tuple(kind))


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "invalid_request", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", "the body must be a JSON object")
    return body


def control_endpoint(
    handler: Callable[[ControlCall], Any], status: int = 200
) -> Callable[[Request], Awaitable[Response]]:
    """Wraps a handler (ControlCall -> JSON data, maybe awaitable); errors answer Dimelo-style JSON, never a 500."""

    async def endpoint(request: Request) -> Response:
        try:
            call = ControlCall(
                request.app.state.sandbox, await _json_body(request), request.path_params, dict(request.query_params)
            )
            result = handler(call)
            if inspect.isawaitable(result):
                result = await result
            return json_response(result, status)
        except ApiError as error:
            return error_response(error)
        except ValueError as error:
            return error_response(ApiError(400, "invalid_parameter", str(error)))
        except Exception:
            log.exception("unexpected error on control call %s %s", request.method, request.url.path)
            return error_response(ApiError(500, "internal_server_error", "unexpected sandbox error"))

    return endpoint
