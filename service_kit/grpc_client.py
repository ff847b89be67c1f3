"""gRPC client channels as every service opens them to its peers."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from service_kit.grpc_telemetry import ClientTelemetry, changed
from service_kit.grpc_tls import GrpcTlsSettings
from service_kit.retried_methods import RetryTable

# The largest message a service sends or takes (gRPC's default is 4 MiB): a delivery of GATEWAY_MAX_BODY_BYTES (at
# most 8 MiB) parsed into events is at most about three times its size.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
# Tries of a retried method cut off by a peer's crash, the first included: a restart takes a few seconds.
MAX_ATTEMPTS = 5

# Reconnect to a restarted peer within a second, rather than after gRPC's default backoff of up to two minutes;
# spread calls over every address a target resolves to (several replicas behind one name, or "ipv4:a,b").
CHANNEL_OPTIONS = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
    ("grpc.lb_policy_name", "round_robin"),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
)


class _PatientCalls(grpc.aio.UnaryUnaryClientInterceptor):
    """Every call waits for a restarting peer (up to its deadline) and has a deadline, `default_timeout` if none."""

    def __init__(self, default_timeout: float) -> None:
        self._default_timeout = default_timeout

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[grpc.aio.UnaryUnaryCall[Any, Any]]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        details = changed(
            client_call_details,
            timeout=self._default_timeout if client_call_details.timeout is None else client_call_details.timeout,
            wait_for_ready=True if client_call_details.wait_for_ready is None else client_call_details.wait_for_ready,
        )
        return await continuation(details, request)


def _service_config(table: RetryTable, max_attempts: int) -> tuple[str, str]:
    """The channel's service config: the table's retried methods sent again, up to `max_attempts` in all, when they
    fail UNAVAILABLE or CANCELLED with no server's verdict (service_kit/retried_methods.py); every other method
    never."""
    policy = {
        "maxAttempts": max_attempts,
        "initialBackoff": "0.1s",
        "maxBackoff": "1s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE", "CANCELLED"],
    }
    names = [{"service": table.service, "method": method} for method in sorted(table.retried)]
    config = {"methodConfig": [{"name": names, "retryPolicy": policy}] if names else []}
    return ("grpc.service_config", json.dumps(config))


def peer_channel(
    target: str,
    retries: RetryTable | None = None,
    default_timeout: float = 30.0,
    tls: GrpcTlsSettings | None = None,
) -> grpc.aio.Channel:
    """A channel to a peer service, over TLS when `tls` names a CA (else plaintext, in-cluster); calls without a
    deadline get `default_timeout` seconds. Every call is counted, timed and traced (the trace context goes along in
    the metadata).

    `retries`: the peer service's table of methods safe to send again when a call is cut off (the peer died
    mid-call); none is when it is not given.
    """
    options = [*CHANNEL_OPTIONS, _service_config(retries, MAX_ATTEMPTS)] if retries else list(CHANNEL_OPTIONS)
    interceptors = [ClientTelemetry(), _PatientCalls(default_timeout)]
    credentials = tls.channel_credentials() if tls is not None else None
    if credentials is None:
        return grpc.aio.insecure_channel(target, options=options, interceptors=interceptors)
    return grpc.aio.secure_channel(target, credentials, options=options, interceptors=interceptors)
