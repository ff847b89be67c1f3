"""A minimal OTLP/gRPC trace collector on a loopback port 0: keeps every span it receives, with its service name."""

import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1 import trace_pb2


@dataclass
class ReceivedSpan:
    service: str
    span: trace_pb2.Span

    @property
    def attributes(self) -> dict[str, str]:
        return {a.key: a.value.string_value for a in self.span.attributes}


@dataclass
class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    spans: list[ReceivedSpan] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def Export(self, request, context):
        with self._lock:
            self.raw.append(request.SerializeToString())
            for resource_spans in request.resource_spans:
                names = [a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"]
                for scope_spans in resource_spans.scope_spans:
                    self.spans.extend(ReceivedSpan(names[0] if names else "", s) for s in scope_spans.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    def received(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self.spans)


@contextmanager
def running_collector() -> Iterator[tuple[Collector, str]]:
    """The collector and its endpoint URL (plain-text gRPC)."""
    collector = Collector()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield collector, f"http://127.0.0.1:{port}"
    finally:
        server.stop(None)
