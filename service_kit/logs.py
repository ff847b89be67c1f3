"""One JSON line per log record on stderr, for every service; secrets are masked before a line is written.

Each line carries the trace id of the span it was written in, and the fields bound with `log_fields` around it.
"""

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from opentelemetry import trace

# Attributes every LogRecord has; anything else was passed with `extra=` and is written as a field.
_RECORD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "taskName"}
MASK = "[redacted]"
_bound_fields: contextvars.ContextVar[Mapping[str, object]] = contextvars.ContextVar(
    "log_fields", default=MappingProxyType({})
)


@contextlib.contextmanager
def log_fields(**fields: object) -> Iterator[None]:
    """Every line logged inside (in this task, and in tasks it starts) carries `fields`, e.g. the event's ids."""
    token = _bound_fields.set({**_bound_fields.get(), **fields})
    try:
        yield
    finally:
        _bound_fields.reset(token)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, service, logger, message, trace id, the bound fields,
    then the `extra` fields."""

    def __init__(self, service: str, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._service = service
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            line["trace_id"] = trace.format_trace_id(span.trace_id)
        line.update(_bound_fields.get())
        line.update((k, v) for k, v in vars(record).items() if k not in _RECORD_ATTRS)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return self._mask(json.dumps(line, default=str, ensure_ascii=False))

    def _mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text


def configure_logging(service: str, level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Sends every logger's records to stderr as JSON lines; `secrets` never appear in a line."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; URLs are ours to log, with care, not the library's.
    logging.getLogger("httpx").setLevel(logging.WARNING)
