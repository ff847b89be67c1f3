"""JSON answers, encoded once and without Starlette's extra checks, since every REST call goes through here."""

import json
from typing import Any

from starlette.responses import Response

from dimelo_sandbox.errors import ApiError

_JSON = "application/json; charset=utf-8"


def json_response(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=_JSON)


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.status)
