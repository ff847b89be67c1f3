"""Spans kept in memory for the tests that look at traces: the process's tracer provider, installed once."""

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from service_kit.tracing import TracingSettings, configure_tracing

_exporter = InMemorySpanExporter()


@pytest.fixture(scope="session")
def _tracing_in_memory() -> InMemorySpanExporter:
    """A process has one tracer provider: the first test that needs spans installs it, for the whole session."""
    configure_tracing("botbridge-tests", TracingSettings(), processor=SimpleSpanProcessor(_exporter))
    assert isinstance(trace.get_tracer_provider(), TracerProvider), "another tracer provider was installed first"
    return _exporter


@pytest.fixture
def spans(_tracing_in_memory: InMemorySpanExporter) -> Iterator[InMemorySpanExporter]:
    """The spans ended during the test (SimpleSpanProcessor: each is exported as it ends)."""
    _tracing_in_memory.clear()
    yield _tracing_in_memory
    _tracing_in_memory.clear()
