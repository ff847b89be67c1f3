"""Errors a caller can act on: gRPC's rich error model, one piece for every service.

A server fails a call with `ErrorDomain.abort`: the status code, a message for people, and a google.rpc.Status (in
the `grpc-status-details-bin` trailer) holding an ErrorInfo whose reason comes from the service's closed set (the
`ErrorReason` enum of its proto; the reason is a value's name without "ERROR_REASON_"), and a RetryInfo when the
server knows when to retry. A caller reads them with `ErrorDomain.reason` and `retry_delay`, and branches on them,
never on the message's wording.

Such an error is the server's verdict, reached after whatever retries it judged safe: it also tells the caller's
channel not to send the call again by itself (gRPC's server pushback, `grpc-retry-pushback-ms: -1`), so a channel's
retry policy (service_kit/retried_methods.py) repeats only calls that no server answered, as when one dies mid-call.
"""

import collections
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar, cast

import grpc
from google.protobuf import any_pb2, duration_pb2, message
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from botbridge.dimelo.v1 import dimelo_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2

# A detail a google.rpc.Status may carry (ErrorInfo, RetryInfo).
_Detail = TypeVar("_Detail", bound=message.Message)
REASON_PREFIX = "ERROR_REASON_"
UNSPECIFIED = 0  # every ErrorReason enum's zero value: no reason of the domain
# gRPC's server pushback (gRFC A6): a negative delay asks the client's channel not to retry the call.
NO_CHANNEL_RETRY = ("grpc-retry-pushback-ms", "-1")


@dataclass(frozen=True)
class ErrorDomain:
    """One service's errors: its ErrorInfo domain and the proto enum of its reasons."""

    domain: str
    reasons: EnumTypeWrapper  # e.g. dimelo_pb2.ErrorReason

    def name(self, reason: int) -> str:
        """The reason as ErrorInfo carries it, e.g. "DIMELO_RATE_LIMITED"."""
        return self.reasons.Name(reason).removeprefix(REASON_PREFIX)

    def status(
        self,
        code: grpc.StatusCode,
        message: str,
        reason: int,
        retry_after: float | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> grpc.Status:
        """The call's end: `code` and `message`, with the ErrorInfo (and RetryInfo, when `retry_after` is given)."""
        status = status_pb2.Status(code=code.value[0], message=message)
        info = error_details_pb2.ErrorInfo(reason=self.name(reason), domain=self.domain, metadata=metadata or {})
        status.details.add().Pack(info)
        if retry_after is not None:
            delay = duration_pb2.Duration()
            delay.FromNanoseconds(round(max(0.0, retry_after) * 1e9))
            status.details.add().Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        rich = rpc_status.to_status(status)
        return _Status(rich.code, rich.details, (*rich.trailing_metadata, NO_CHANNEL_RETRY))

    async def abort(
        self,
        context: grpc.aio.ServicerContext[Any, Any],
        code: grpc.StatusCode,
        message: str,
        reason: int,
        retry_after: float | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> NoReturn:
        """Ends the call with `status(...)`."""
        await context.abort_with_status(self.status(code, message, reason, retry_after, metadata))

    def reason(self, error: BaseException) -> int:
        """The error's reason in this domain; UNSPECIFIED when it carries none (not a gRPC error, another domain's,
        no details, as from a deadline or a peer that died mid-call) or one this version does not know."""
        info = error_info(error)
        if info is None or info.domain != self.domain:
            return UNSPECIFIED
        try:
            return self.reasons.Value(REASON_PREFIX + info.reason)
        except ValueError:
            return UNSPECIFIED


def error_info(error: BaseException) -> error_details_pb2.ErrorInfo | None:
    """The error's ErrorInfo, whichever its domain; None when it has none."""
    return _detail(error, error_details_pb2.ErrorInfo)


def retry_delay(error: BaseException) -> float | None:
    """Seconds the server asked to wait before retrying (its RetryInfo); None when it did not say."""
    info = _detail(error, error_details_pb2.RetryInfo)
    return info.retry_delay.ToNanoseconds() / 1e9 if info is not None else None


def describe_reason(error: BaseException) -> str:
    """The error's reason for a log line (e.g. "DIMELO_RATE_LIMITED"), or "" when it has none."""
    info = error_info(error)
    return info.reason if info is not None else ""


def _detail(error: BaseException, kind: type[_Detail]) -> _Detail | None:
    """The first detail of type `kind` in the error's google.rpc.Status, or None."""
    for detail in _details(error):
        unpacked = kind()
        if detail.Unpack(unpacked):  # False for a detail of another type
            return unpacked
    return None


def _details(error: BaseException) -> list[any_pb2.Any]:
    if not isinstance(error, grpc.RpcError) or not hasattr(error, "trailing_metadata"):
        return []
    try:
        status = rpc_status.from_call(cast(grpc.Call, error))  # it reads the code, details and trailers alone
    except ValueError:  # a status whose code or message differs from the call's: not to be trusted
        return []
    return list(status.details) if status is not None else []


# The domains of the services that send rich errors, with their reasons' enums (documented in their protos).
DIMELO_ADAPTER = ErrorDomain("botbridge.dimelo_adapter", dimelo_pb2.ErrorReason)
ORCHESTRATOR = ErrorDomain("botbridge.orchestrator", orchestrator_pb2.ErrorReason)


class _Status(collections.namedtuple("_Status", ("code", "details", "trailing_metadata")), grpc.Status):
    """The end of a call as `context.abort_with_status` takes it."""
