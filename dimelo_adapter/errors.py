"""The adapter's failures, each with the gRPC status it leaves as, a reason a caller can branch on (the proto's
ErrorReason) and a message an operator can act on.

This is the one place that reads meaning into Dimelo's wording (its error identifiers and messages): callers get a
reason, never a text to match.
"""

from typing import Any

import grpc
import httpx

from botbridge.dimelo.v1 import dimelo_pb2
from dimelo_adapter.endpoints import CREATE_CONTENT, Endpoint

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
_FAILED = dimelo_pb2.ERROR_REASON_DIMELO_FAILED
# A refusal's reason by Dimelo's status (else: 5xx failed, any other status an invalid request), after the cases its
# words decide (DimeloRefused._reason).
_REASONS = {
    403: dimelo_pb2.ERROR_REASON_DIMELO_PERMISSION_DENIED,
    404: dimelo_pb2.ERROR_REASON_DIMELO_NOT_FOUND,
    408: _FAILED,
    409: dimelo_pb2.ERROR_REASON_DIMELO_CONFLICT,
    422: dimelo_pb2.ERROR_REASON_DIMELO_REFUSED,
    429: dimelo_pb2.ERROR_REASON_DIMELO_RATE_LIMITED,
}


class AdapterError(Exception):
    """A failed RPC: `code` is its gRPC status, `reason` its ErrorReason, str() its message; `retry_after` the seconds
    Dimelo asked to wait, when it said."""

    code = grpc.StatusCode.UNKNOWN
    reason: int = dimelo_pb2.ERROR_REASON_UNSPECIFIED
    retry_after: float | None = None

    def error_metadata(self) -> dict[str, str]:
        """What the ErrorInfo carries besides the reason, for a program."""
        return {}

    def log_fields(self) -> dict[str, Any]:
        """What a log line about the failure carries besides its message."""
        return {}


class InvalidRequest(AdapterError):
    """The request lacks `fields` the operation needs; Dimelo was not called."""

    code = grpc.StatusCode.INVALID_ARGUMENT
    reason = dimelo_pb2.ERROR_REASON_MISSING_FIELD

    def __init__(self, message: str, fields: list[str]) -> None:
        super().__init__(message)
        self.fields = fields

    def error_metadata(self) -> dict[str, str]:
        return {"fields": ",".join(self.fields)}


class UnreadableAnswer(AdapterError):
    """Dimelo answered success with a body the adapter cannot read (not JSON, or not the expected shape)."""

    code = grpc.StatusCode.UNAVAILABLE
    reason = dimelo_pb2.ERROR_REASON_DIMELO_ANSWER_UNREADABLE


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

    def error_metadata(self) -> dict[str, str]:
        return {"dimelo_endpoint": str(self.endpoint), "attempts": str(self.attempts)}

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
        self.reason = self._reason()

    def _reason(self) -> int:
        """What the refusal means, from Dimelo's status and, where the status alone cannot tell, its words."""
        words = f"{self.identifier} {self.message}".lower()
        if self.status == 401 or (self.status == 403 and "token" in self.identifier):
            return dimelo_pb2.ERROR_REASON_DIMELO_TOKEN_REFUSED
        # The sandbox says 403 "in_reply_to_not_under_intervention"; real accounts word it in their own way.
        if self.endpoint == CREATE_CONTENT and self.status in (403, 422) and "intervention" in words:
            return dimelo_pb2.ERROR_REASON_INTERVENTION_REQUIRED
        otherwise = _FAILED if self.status >= 500 else dimelo_pb2.ERROR_REASON_DIMELO_INVALID_REQUEST
        return _REASONS.get(self.status, otherwise)

    def what(self) -> str:
        said = ": ".join(part for part in (self.identifier, self.message) if part)
        return f"Dimelo answered {self.status}" + (f" ({said})" if said else "")

    def hint(self) -> str:
        if self.reason == dimelo_pb2.ERROR_REASON_DIMELO_TOKEN_REFUSED:
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

    def error_metadata(self) -> dict[str, str]:
        return {**super().error_metadata(), "http_status": str(self.status)}

    def log_fields(self) -> dict[str, Any]:
        return {**super().log_fields(), "http_status": self.status, "dimelo_error": self.identifier}


class DimeloUnreachable(DimeloCallError):
    """No answer from Dimelo: a network error or a timeout; `detail` is the error's text."""

    code = grpc.StatusCode.UNAVAILABLE

    def __init__(self, endpoint: Endpoint, path: str, cause: httpx.TransportError, detail: str) -> None:
        super().__init__(endpoint, path)
        self.cause = cause
        self.detail = detail
        self.reason = (
            dimelo_pb2.ERROR_REASON_DIMELO_NO_ANSWER
            if self.may_have_reached_dimelo
            else dimelo_pb2.ERROR_REASON_DIMELO_UNREACHABLE
        )

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
