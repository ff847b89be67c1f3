"""OpenTelemetry traces: the process's tracer provider, and the W3C trace context as text (gRPC metadata, the store).

Spans are recorded and exported (OTLP over gRPC) only when an OTLP endpoint is configured. Without one, no tracer
provider is installed: the API's no-op tracer costs a few microseconds per span, makes no trace ids (log lines
then carry none) and still passes on a trace context that a caller sent.
"""

import logging
from collections.abc import Iterable
from typing import Literal

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
# A proxy until a provider is installed: every service module may take it at import.
tracer = trace.get_tracer("botbridge")


class TracingSettings(BaseSettings):
    """The standard OpenTelemetry variables that turn exporting on; the exporter reads the others itself
    (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _CERTIFICATE, ...), and the SDK OTEL_TRACES_SAMPLER, OTEL_BSP_*."""

    model_config = SettingsConfigDict(extra="ignore")

    otel_exporter_otlp_traces_endpoint: str = ""
    otel_exporter_otlp_endpoint: str = ""
    # Only OTLP over gRPC is installed (the HTTP exporter would add `requests`).
    otel_exporter_otlp_traces_protocol: Literal["grpc", ""] = ""
    otel_exporter_otlp_protocol: Literal["grpc", ""] = ""

    @property
    def endpoint(self) -> str:
        return self.otel_exporter_otlp_traces_endpoint or self.otel_exporter_otlp_endpoint


def configure_tracing(service: str, settings: TracingSettings, processor: SpanProcessor | None = None) -> bool:
    """Installs the process's tracer provider, named `service` (OTEL_SERVICE_NAME wins), when an OTLP endpoint is
    configured or `processor` is given (tests keep spans in memory with one); True when it did.

    The sampler is the SDK's (OTEL_TRACES_SAMPLER; by default every trace, or as the caller decided)."""
    if processor is None and settings.endpoint:
        # Imported here: the exporter loads gRPC stubs of its own, needless when tracing is off.
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        processor = BatchSpanProcessor(OTLPSpanExporter())
    if processor is None:
        return False
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    log.info("traces exported", extra={"otlp_endpoint": settings.endpoint or "(in process)"})
    return True


def shutdown_tracing() -> None:
    """Sends the spans still buffered; call once the service has stopped."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.shutdown()


def current_traceparent() -> str:
    """The current span's context as a W3C `traceparent` value; empty when there is none."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT, "")


def context_from_traceparent(traceparent: str) -> otel_context.Context | None:
    """The context to start a child span in, from a stored `traceparent`; None (a new trace) when there is none."""
    return _PROPAGATOR.extract({TRACEPARENT: traceparent}) if traceparent else None


def context_from_metadata(metadata: Iterable[tuple[str, str | bytes]] | None) -> otel_context.Context | None:
    """The caller's context from gRPC invocation metadata; None when the caller sent none."""
    carrier = {
        key: value for key, value in metadata or () if key in ("traceparent", "tracestate") and isinstance(value, str)
    }
    return _PROPAGATOR.extract(carrier) if carrier else None
