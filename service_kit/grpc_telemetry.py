"""One span and one count per gRPC call, on both sides; the trace context travels in the call's metadata.

Health checks and reflection are left out: probes every few seconds would drown the traces.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias, cast

import grpc
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import Counter, Histogram

from service_kit.metrics import LATENCY_BUCKETS
from service_kit.tracing import TRACEPARENT, context_from_metadata, current_traceparent, tracer

SERVER_HANDLED = Counter(
    "grpc_server_handled_total",
    "RPCs answered, by method and status code.",
    ["grpc_service", "grpc_method", "grpc_code"],
)
SERVER_SECONDS = Histogram(
    "grpc_server_handling_seconds", "Time to answer an RPC.", ["grpc_service", "grpc_method"], buckets=LATENCY_BUCKETS
)
CLIENT_HANDLED = Counter(
    "grpc_client_handled_total",
    "RPCs made to peers, by method and status code.",
    ["grpc_service", "grpc_method", "grpc_code"],
)
CLIENT_SECONDS = Histogram(
    "grpc_client_handling_seconds",
    "Time from making an RPC to its answer, waiting for a peer to be ready included.",
    ["grpc_service", "grpc_method"],
    buckets=LATENCY_BUCKETS,
)

_UNOBSERVED = ("/grpc.health.v1.Health/", "/grpc.reflection.")
# A handler, or None for a method the server does not serve; quoted: grpc's classes take no type arguments at run time.
_Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any] | None"
# What an asyncio server's handler runs (typeshed types it as the blocking server's behaviour).
AsyncBehaviour: TypeAlias = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]


def _service_and_method(full_method: str) -> tuple[str, str]:
    """("botbridge.ai.v1.AiService", "Respond") from "/botbridge.ai.v1.AiService/Respond"."""
    service, _, method = full_method.lstrip("/").rpartition("/")
    return service, method


def _span_attributes(service: str, method: str) -> dict[str, str]:
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method}


class ServerTelemetry(grpc.aio.ServerInterceptor):
    """Counts and times each unary RPC, in a server span that continues the caller's trace."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[_Handler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> _Handler:
        handler = await continuation(handler_call_details)
        full_method = handler_call_details.method
        if handler is None or handler.unary_unary is None or full_method.startswith(_UNOBSERVED):
            return handler
        service, method = _service_and_method(full_method)
        parent = context_from_metadata(handler_call_details.invocation_metadata)
        behavior = cast(AsyncBehaviour, handler.unary_unary)

        async def observed(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            with tracer.start_as_current_span(
                full_method[1:],
                context=parent,
                kind=SpanKind.SERVER,
                attributes=_span_attributes(service, method),
                record_exception=False,
                set_status_on_exception=False,
            ) as span:
                code = grpc.StatusCode.UNKNOWN
                try:
                    response = await behavior(request, context)
                    code = grpc.StatusCode.OK
                    return response
                except asyncio.CancelledError:
                    code = grpc.StatusCode.CANCELLED
                    raise
                finally:
                    # An abort (or set_code) sets the call's code; it wins over what the handler's end suggests.
                    code = context.code() or code
                    _observe(span, SERVER_HANDLED, SERVER_SECONDS, service, method, code, started)

        return grpc.unary_unary_rpc_method_handler(
            observed,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


class ClientTelemetry(grpc.aio.UnaryUnaryClientInterceptor):
    """Counts and times each call to a peer, in a client span whose context goes along in the metadata."""

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[grpc.aio.UnaryUnaryCall[Any, Any]]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        full_method = client_call_details.method
        if isinstance(full_method, bytes):
            full_method = full_method.decode()
        if full_method.startswith(_UNOBSERVED):
            return await continuation(client_call_details, request)
        service, method = _service_and_method(full_method)
        started = time.perf_counter()
        code = grpc.StatusCode.UNKNOWN
        with tracer.start_as_current_span(
            full_method[1:],
            kind=SpanKind.CLIENT,
            attributes=_span_attributes(service, method),
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                details = changed(client_call_details, metadata=_with_trace_context(client_call_details.metadata))
                response = await (await continuation(details, request))
                code = grpc.StatusCode.OK
                return response
            except grpc.aio.AioRpcError as error:
                code = error.code()
                raise
            except asyncio.CancelledError:
                code = grpc.StatusCode.CANCELLED
                raise
            finally:
                _observe(span, CLIENT_HANDLED, CLIENT_SECONDS, service, method, code, started)


def changed(details: grpc.aio.ClientCallDetails, **changes: Any) -> grpc.aio.ClientCallDetails:
    """`details` with some fields changed: what the namedtuple's _replace does, typed (typeshed declares none)."""
    fields = {
        "method": details.method,
        "timeout": details.timeout,
        "metadata": details.metadata,
        "credentials": details.credentials,
        "wait_for_ready": details.wait_for_ready,
    }
    return grpc.aio.ClientCallDetails(**(fields | changes))


def _with_trace_context(metadata: grpc.aio.Metadata | None) -> grpc.aio.Metadata | None:
    traceparent = current_traceparent()
    if not traceparent:
        return metadata
    with_context = grpc.aio.Metadata(*(metadata or ()))
    with_context.add(TRACEPARENT, traceparent)
    return with_context


def _observe(
    span: trace.Span,
    handled: Counter,
    seconds: Histogram,
    service: str,
    method: str,
    code: grpc.StatusCode,
    started: float,
) -> None:
    handled.labels(service, method, code.name).inc()
    seconds.labels(service, method).observe(time.perf_counter() - started)
    if span.is_recording():
        span.set_attribute("rpc.grpc.status_code", code.value[0])
        if code is not grpc.StatusCode.OK:
            span.set_status(Status(StatusCode.ERROR, code.name))
