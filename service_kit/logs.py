"""One JSON line per log record on stderr, for every service; secrets are masked before a line is written."""

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed with `extra=` and is written as a field.
_RECORD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "taskName"}
MASK = "[redacted]"


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, service, logger, message, then the `extra` fields."""

    def __init__(self, service: str, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._service = service
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
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
