"""The adapter's failures, each with the gRPC status it leaves as and a message an operator can act on."""

from typing import Any

import grpc
import httpx

from dimelo_adapter.endpoints import Endpoint

# Transport errors raised before a request was written: Dimelo certainly did not see it.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

_CODES = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.PERMISSION_DENIED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    408: grpc.StatusCode.UNAVAILABLE,
    409: grpc.StatusCode.ABORTED,
    422: grpc.StatusCode.FAILED_PRECONDITION,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
}


class AdapterError(Exception):
    """A failed RPC: `code` is its gRPC status, str() its message."""

    code = grpc.StatusCode.UNKNOWN

    def log_fields(self) -> dict[str, Any]:
        """What a log line about the failure carries besides its message."""
        return {}


class InvalidRequest(AdapterError):
    """The request lacks a field the operation needs; Dimelo was not called."""

    code = grpc.StatusCode.INVALID_ARGUMENT


class UnreadableAnswer(AdapterError):
    """Dimelo answered success with a body the adapter cannot read (not JSON, or not the expected shape)."""

    code = grpc.StatusCode.UNAVAILABLE


class DimeloCallError(AdapterError):
    """A Dimelo call that failed, after `attempts` tries."""

    def __init__(self, endpoint: Endpoint, path: str) -> None:
        super().__init__(endpoint, path)
        self.endpoint = endpoint
        self.path = path
        self.attempts = 1

    def __str__(self) -> str:
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.endpoint.method} {self.path}: {self.what()}{tries}; {self.hint()}"

    def what(self) -> str:
        raise NotImplementedError

    def hint(self) -> str:
        raise NotImplementedError

    def log_fields(self) -> dict[str, Any]:
        return {"dimelo_endpoint": str(self.endpoint), "path": self.path, "attempts": self.attempts}


class DimeloRefused(DimeloCallError):
    """Dimelo answered with an error status; `identifier` and `message` are its JSON body's, when it had one."""

    def __init__(
        self, endpoint: Endpoint, path: str, status: int, identifier: str, message: str, retry_after: float | None
    ) -> None:
        super().__init__(endpoint, path)
        self.status = status
        self.identifier = identifier
        self.message = message
        self.retry_after = retry_after
        self.code = _CODES.get(status, grpc.StatusCode.UNAVAILABLE if status >= 500 else grpc.StatusCode.UNKNOWN)

    def what(self) -> str:
        said = ": ".join(part for part in (self.identifier, self.message) if part)
        return f"Dimelo answered {self.status}" + (f" ({said})" if said else "")

    def hint(self) -> str:
        if self.status == 401 or (self.status == 403 and "token" in self.identifier):
            return "Dimelo does not accept the access token: check DIMELO_ACCESS_TOKEN (mistyped, revoked or expired?)"
        if self.status == 403:
            return self.endpoint.denied_hint()
        if self.status == 404:
            return "it does not exist, or the token's user cannot read its source"
        if self.status == 409 and self.attempts > 1 and not self.endpoint.conflict_is_transient:
            return "an earlier attempt of this call may have reached Dimelo and started the job: do not repeat it"
        if self.status == 409:
            return "a job on it is in progress (e.g. being categorized or closed); retry later"
        if self.status == 422:
            return "Dimelo cannot do it in the object's current state"
        if self.status == 429:
            wait = f", asking to wait {self.retry_after:g} s" if self.retry_after is not None else ""
            return f"Dimelo's rate limit is reached{wait}; retry later"
        if self.status >= 500 and self.endpoint.if_unsure:
            return self.endpoint.if_unsure
        if self.status >= 500:
            return "Dimelo failed; retry later"
        return "see Dimelo's message"

    def log_fields(self) -> dict[str, Any]:
        return {**super().log_fields(), "http_status": self.status, "dimelo_error": self.identifier}


class DimeloUnreachable(DimeloCallError):
    """No answer from Dimelo: a network error or a timeout; `detail` is the error's text."""

    code = grpc.StatusCode.UNAVAILABLE

    def __init__(self, endpoint: Endpoint, path: str, cause: httpx.TransportError, detail: str) -> None:
        super().__init__(endpoint, path)
        self.cause = cause
        self.detail = detail

    @property
    def may_have_reached_dimelo(self) -> bool:
        return not isinstance(self.cause, NOT_SENT_ERRORS)

    def what(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"no answer from Dimelo ({type(self.cause).__name__}{detail})"

    def hint(self) -> str:
        if self.may_have_reached_dimelo and self.endpoint.if_unsure:
            return self.endpoint.if_unsure
        return "check that Dimelo is reachable at DIMELO_API_URL; retry later"

    def log_fields(self) -> dict[str, Any]:
        return {**super().log_fields(), "network_error": type(self.cause).__name__}
