"""Every REST exchange and webhook delivery, one JSON line each, appended to a file when SANDBOX_RECORD_PATH is
set: the spec-validation tests check them against RingCentral's API reference. An `access_token` parameter is
never written."""

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.responses import Response

_TOKEN = "access_token"


def _without_token(query: str) -> str:
    if _TOKEN not in query:
        return query
    return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != _TOKEN])


class Recorder:
    """Appends to `path`, or does nothing when it is None."""

    def __init__(self, path: str | None) -> None:
        self._path = Path(path) if path else None

    def rest(
        self, method: str, path: str, query: bytes, content_type: str, body: bytes, response: Response | None
    ) -> None:
        """One exchange; `response` is None when the client went away before the answer."""
        if self._path is None:
            return
        text = body.decode("utf-8", "replace")
        if _TOKEN in text:
            text = "<a body carrying an access token, not recorded>"
        record: dict[str, Any] = {
            "kind": "rest",
            "method": method,
            "path": path,
            "query": _without_token(query.decode("latin-1")),
            "content_type": content_type,
            "body": text,
        }
        if response is not None:
            record.update(status=response.status_code, response=json.loads(bytes(response.body)))
        self._write(record)

    def delivery(self, body: dict[str, Any]) -> None:
        if self._path is not None:
            self._write({"kind": "webhook", "delivery": body})

    def _write(self, record: dict[str, Any]) -> None:
        if self._path is not None:
            with self._path.open("a", encoding="utf-8") as log:
                log.write(json.dumps(record, ensure_ascii=False) + "\n")
