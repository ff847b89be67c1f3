"""Which failures are worth retrying: the scheduler retries transient ones and hands the thread over on the rest."""

import grpc

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


def describe(error: BaseException) -> str:
    """One line for the journal and the logs."""
    if isinstance(error, grpc.aio.AioRpcError):
        return f"{error.code().name}: {error.details()}"
    return f"{type(error).__name__}: {error}"
