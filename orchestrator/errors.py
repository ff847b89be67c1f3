"""Which failures are worth retrying: the scheduler retries transient ones and dead-letters the rest."""

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
    """True for peer outages, rate limits, conflicts and timeouts; False for refusals that a retry cannot fix."""
    return isinstance(error, grpc.aio.AioRpcError) and error.code() in TRANSIENT_CODES


def describe(error: BaseException) -> str:
    """One line for the journal and the logs."""
    if isinstance(error, grpc.aio.AioRpcError):
        return f"{error.code().name}: {error.details()}"
    return f"{type(error).__name__}: {error}"
