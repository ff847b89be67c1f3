"""Prometheus metrics: the process's endpoint, and what the services' metrics share (buckets, bounded labels).

One process per service (no multiprocess mode): each process serves its own metrics, from the default registry.
"""

import logging
import socket
import threading
from collections.abc import Callable, Collection, Iterable
from http import HTTPStatus
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import CONTENT_TYPE_LATEST, disable_created_metrics, generate_latest, make_wsgi_app

log = logging.getLogger(__name__)

# A read-only text page served beside the metrics: given the request path, (HTTP status, text), or None when the
# path is not the page's (then the metrics are served).
Page = Callable[[str], tuple[int, str] | None]

# Seconds, from a fast gRPC hop to a slow AI answer or a Dimelo call near its timeout.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
OTHER = "other"
# Dimelo webhook event types seen in the docs; any other type is counted as "other".
KNOWN_EVENT_TYPES = frozenset(
    {
        "content.imported",
        "content.replied",
        "content.exported",
        "content.thread_opened",
        "content.thread_closed",
        "content.thread_auto_closed",
        "content.discussion_initiated",
        "intervention.opened",
        "intervention.closed",
        "intervention.reopened",
        "intervention.canceled",
        "push_agent.availability_change",
        "push_agent.busyness_change",
        "survey_response.imported",
    }
)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, fmt: str, *args: object) -> None:
        """No line per scrape: it would say nothing."""


def serve_metrics(host: str, port: int, page: Page | None = None) -> int:
    """Serves /metrics on host:port (port 0: any free one), and `page` if given, from background threads; returns the
    bound port, also logged."""
    disable_created_metrics()
    metrics: WSGIApplication = make_wsgi_app()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = page(environ.get("PATH_INFO", "")) if page else None
        if answer is None:
            return metrics(environ, start_response)
        status, text = answer
        start_response(f"{status} {HTTPStatus(status).phrase}", [("Content-Type", "text/plain; charset=utf-8")])
        return [text.encode()]

    server_class = _ThreadingServer6 if ":" in host else _ThreadingServer  # a pod's address may be IPv6
    server = make_server(host, port, app, server_class, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    bound = server.server_port
    log.info("metrics served", extra={"metrics_host": host, "metrics_port": bound, "metrics_path": "/metrics"})
    return bound


def exposition() -> tuple[bytes, str]:
    """The process's metrics in Prometheus' text format, and its content type: for a service that serves HTTP."""
    disable_created_metrics()
    return generate_latest(), CONTENT_TYPE_LATEST


def bounded(value: str, known: Collection[str]) -> str:
    """`value` when it is one of `known`, else "other": a label never takes an unbounded set of values."""
    return value if value in known else OTHER


def event_type_label(event_type: str) -> str:
    """A webhook event type as a metric label: the type when known, else "other"."""
    return bounded(event_type, KNOWN_EVENT_TYPES)
