"""Dimelo's list answer: `{"count", "offset", "limit", "records"}`, offset default 0, limit default 30, max 150."""

from collections.abc import Callable, Sequence
from typing import Any

from dimelo_sandbox.errors import invalid_parameter
from dimelo_sandbox.forms import Params

DEFAULT_LIMIT = 30
MAX_LIMIT = 150


def paginate(params: Params, records: Sequence[Any], shape: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of `records`; a limit above 150 is cut to 150, as on the real API."""
    offset = params.integer("offset", 0)
    limit = params.integer("limit", DEFAULT_LIMIT)
    if offset < 0:
        raise invalid_parameter("offset", "must be >= 0")
    if limit < 1:
        raise invalid_parameter("limit", f"must be between 1 and {MAX_LIMIT}")
    limit = min(limit, MAX_LIMIT)
    return {
        "count": len(records),
        "offset": offset,
        "limit": limit,
        "records": [shape(record) for record in records[offset : offset + limit]],
    }
