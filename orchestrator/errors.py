"""Which failures are worth retrying: the scheduler retries transient ones and hands the thread over on the rest."""

import grpc

from service_kit.rich_errors import describe_reason, retry_delay

TRANSIENT_CODES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.CANCELLED,
    }
)


def is_transient(error: BaseException) -> bool:
    """False only for a peer's refusal that a retry cannot fix (a gRPC status outside TRANSIENT_CODES); True for
    peer outages, rate limits, conflicts and timeouts, and for every other error (the store's, or a value it could
    not take): nothing but a peer's refusal proves that trying again is useless."""
    return not isinstance(error, grpc.aio.AioRpcError) or error.code() in TRANSIENT_CODES


def earliest_retry(error: BaseException) -> float:
    """Seconds before which a retry is useless: what the peer asked for (its RetryInfo, e.g. Dimelo's Retry-After
    passed on by the adapter), else 0."""
    return retry_delay(error) or 0.0


def describe(error: BaseException) -> str:
    """One line for the journal and the logs: a gRPC error's code, its reason when it has one, and its message."""
    if isinstance(error, grpc.aio.AioRpcError):
        reason = describe_reason(error)
        return f"{error.code().name}{f' ({reason})' if reason else ''}: {error.details()}"
    return f"{type(error).__name__}: {error}"
