"""Tracing is on only when an OTLP endpoint is configured; off, no tracer provider is installed (the no-op one)."""

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from service_kit.tracing import TracingSettings

PROBE = """
import os
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from service_kit.tracing import TracingSettings, configure_tracing, tracer
on = configure_tracing("probe", TracingSettings())
with tracer.start_as_current_span("x") as span:
    print(on, isinstance(trace.get_tracer_provider(), TracerProvider), span.is_recording(), flush=True)
os._exit(0)  # no flush of the span at exit: nothing listens at the endpoint
"""


def probe(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    command = [sys.executable, "-c", PROBE]
    done = subprocess.run(command, env={**clean, **env}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_without_an_endpoint_nothing_is_installed_and_spans_are_not_recorded():
    """In: no OTEL_* variable. Out: configure_tracing says off, the provider is the API's, spans do not record."""
    assert probe() == "False False False"


def test_with_an_endpoint_spans_are_recorded_for_export():
    """In: OTEL_EXPORTER_OTLP_ENDPOINT (nothing listens; the exporter retries in the background). Out: on, the SDK's
    provider, spans recorded."""
    assert probe(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9", OTEL_BSP_SCHEDULE_DELAY="60000") == "True True True"


def test_only_the_grpc_protocol_is_accepted():
    """In: OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf. Out: a settings error at start-up, not silent nothing."""
    with pytest.raises(ValidationError):
        TracingSettings(otel_exporter_otlp_protocol="http/protobuf")
