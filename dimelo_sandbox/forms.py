"""Request parameters as a Rails API reads them: query string and body merged, arrays as `name[]`.

The body may be form-encoded or JSON (the official JS client sends JSON): a JSON list is the array `name[]`, a JSON
object (e.g. `structured_content`) a document.
"""

import json
from typing import Any
from urllib.parse import parse_qsl

from dimelo_sandbox.errors import ApiError, invalid_parameter, missing_parameter

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
_MAX_FIELDS = 1000
_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"0", "false", "off", "no", ""})


class Params:
    """Parameter values by name; a repeated scalar keeps its last value, `name[]` collects an array."""

    def __init__(self, pairs: list[tuple[str, str]], documents: dict[str, Any] | None = None) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in pairs:
            self._values.setdefault(name, []).append(value)
        # Objects of a JSON body (e.g. `structured_content`), as sent.
        self.documents: dict[str, Any] = documents or {}

    def get(self, name: str) -> str | None:
        values = self._values.get(name)
        return values[-1] if values else None

    def require(self, name: str) -> str:
        """The value, stripped of nothing; 400 when absent or blank."""
        value = self.get(name)
        if value is None or not value.strip():
            raise missing_parameter(name)
        return value

    def array(self, name: str) -> list[str] | None:
        """Values of `name[]` (a lone empty value means an empty array); None when absent.

        A bare `name=` is a scalar to Rails, not an array: 400, so a client sending it learns here, not in production.
        """
        if name in self._values and f"{name}[]" not in self._values:
            raise invalid_parameter(name, f"must be an array: send {name}[]=a&{name}[]=b")
        values = self._values.get(f"{name}[]")
        if values is None:
            return None
        return [value for value in values if value != ""]

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if value is None:
            return False
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise invalid_parameter(name, "must be 1 or 0 (true or false)")

    def integer(self, name: str, default: int) -> int:
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise invalid_parameter(name, "must be an integer") from None


def _pairs(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as error:
        raise ApiError(400, "invalid_request", f"malformed parameters: {error.__class__.__name__}") from None


def _json_params(pairs: list[tuple[str, str]], body: bytes) -> Params:
    """A JSON object body added to the query's `pairs`: a list gives `name[]` once per item, true/false
    "true"/"false", an object is kept as a document."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "invalid_request", "the JSON body cannot be parsed") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_request", "the JSON body must be an object of parameters")
    documents = {}
    for name, value in data.items():
        if isinstance(value, dict):
            documents[name] = value
        elif isinstance(value, list):
            pairs.extend((f"{name.removesuffix('[]')}[]", _json_scalar(name, item)) for item in value or [""])
        else:
            pairs.append((name, _json_scalar(name, value)))
    if len(pairs) > _MAX_FIELDS:
        raise ApiError(400, "invalid_request", "malformed parameters: too many fields")
    return Params(pairs, documents)


def _json_scalar(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    raise invalid_parameter(name, "must be a string, a number, a boolean or a list of them")


def parse_params(query: bytes, body: bytes, content_type: str | None) -> Params:
    """Query parameters, then body parameters (which win); 400 on a body that is neither form-encoded nor JSON."""
    pairs = _pairs(query.decode("latin-1"))
    if body:
        media_type = (content_type or _FORM).split(";", 1)[0].strip().lower()
        if media_type == _JSON:
            return _json_params(pairs, body)
        if media_type != _FORM:
            raise ApiError(
                400, "invalid_request", f"unsupported body type {media_type!r}: send parameters as {_FORM} or {_JSON}"
            )
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "invalid_request", "the form body is not valid UTF-8") from None
        pairs.extend(_pairs(text))
    return Params(pairs)
