"""Checks recorded HTTP exchanges with Dimelo's REST API against RingCentral's OpenAPI spec (a copy beside this file,
with its licence) using openapi-core, and webhook deliveries against events.md.

An exchange is a dict: `method`, `path`, `query` (the raw query string), `content_type`, `body` (text), and, when
the answer was recorded, `status` and `response` (parsed JSON). Stricter than the validator on one point: a query
or body parameter the spec does not declare for the operation is a failure (that is how `thread_id` slipped into
`GET /1.0/contents`). The spec declares every parameter "in: query" (Rails reads the query string and the body
alike), so body parameters are checked as query parameters. Two readings of the spec, both written down here:
- the spec marks no field nullable, yet the API renders an absent value as `null`: nulls count as absent;
- responses are checked when successful (the spec documents few error answers); an error must have Dimelo's
  error shape `{"error", "message", "status"}`.
"""

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

SPEC_PATH = Path(__file__).with_name("engage-digital_openapi3.yaml")
# The spec's server, `https://{account_name}.api.{platform_hostname}/1.0`, with its default variables.
SERVER = "https://domain-name.api.engagement.dimelo.com"
API_PREFIX = "/1.0"
ERROR_FIELDS = {"error", "message", "status"}

# events.md, "Event Anatomy" and each family's "Metadata".
DELIVERY_FIELDS = {"id", "domain_id", "events"}
EVENT_REQUIRED = {"type", "id", "resource", "issued_at"}
EVENT_OPTIONAL = {"user_id", "action"}
RESOURCE_REQUIRED = {"type", "id"}
CONTENT_METADATA = {
    "id",
    "approval_required",
    "author_id",
    "body",
    "body_input_format",
    "created_from",
    "creator_id",
    "date",
    "first_in_thread",
    "foreign_categories",
    "foreign_id",
    "has_attachment",
    "intervention_id",
    "language",
    "type",
    "in_reply_to_author_id",
    "in_reply_to_id",
    "private",
    "source_id",
    "source_type",
    "status",
    "synchronization_status",
    "thread_id",
    "thread_title",
    "capabilities_supported",
}
INTERVENTION_METADATA = {
    "source_id",
    "thread_id",
    "user_id",
    "identity_id",
    "category_ids",
    "closed_at",
    "deferred_at",
    "custom_field_values",
}
PUSH_AGENT_METADATA = {"channels", "custom_status"}
PUSH_AGENT_CHANNEL = {"id", "name", "status", "busyness"}
# Content events about one content carry all its metadata; thread events (documented without metadata of their
# own) may carry only content metadata names.
CONTENT_EVENTS = {
    "content.approved",
    "content.discussion_initiated",
    "content.exported",
    "content.imported",
    "content.replied",
    "content.update_exported",
}
# Parameters the reference documents on pages of its own rather than in the OpenAPI spec, by operation: the
# structured messages (structured-messages/select.md and template.md: a JSON `POST /1.0/contents` with
# `structured_content`). The sandbox validates their content (dimelo_sandbox/structured.py).
DOCUMENTED_OUTSIDE_THE_SPEC = {"POST /contents": {"structured_content"}}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@dataclass
class Verdict:
    """The spec's operation an exchange matched (`METHOD /path/{template}`), and what is wrong with it."""

    operation: str
    problems: list[str] = field(default_factory=list)


def body_parameters(content_type: str, body: str) -> list[tuple[str, str]]:
    """A form or JSON body as (name, value) pairs; a JSON list is the array `name[]`, one pair per item."""
    if not body:
        return []
    if content_type.split(";")[0].strip().lower() != "application/json":
        return parse_qsl(body, keep_blank_values=True)
    pairs = []
    for name, value in json.loads(body).items():
        values = value if isinstance(value, list) else [value]
        name = f"{name.removesuffix('[]')}[]" if isinstance(value, list) else name
        pairs.extend((name, json.dumps(v) if isinstance(v, bool) else str(v)) for v in values)
    return pairs


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


class SpecChecker:
    """Loads the spec once; `check` gives the verdict on one exchange."""

    def __init__(self) -> None:
        # Read once, with libyaml when PyYAML has it (the pure-Python reader takes over a second per read).
        with SPEC_PATH.open(encoding="utf-8") as spec_file:
            spec = yaml.load(spec_file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self._openapi = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None), base_uri=SPEC_PATH.as_uri())
        paths = spec["paths"]
        # Literal paths before templated ones, so that e.g. /users/invite is not read as /users/{userId}.
        self._paths = sorted(
            (
                (template, re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"), item)
                for template, item in paths.items()
            ),
            key=lambda entry: entry[0].count("{"),
        )

    def _operation(self, method: str, path: str) -> tuple[str, dict] | None:
        for template, pattern, item in self._paths:
            if pattern.match(path) and method.lower() in item:
                return template, item
        return None

    def check(self, exchange: dict[str, Any]) -> Verdict:
        method, full_path = exchange["method"].upper(), exchange["path"]
        if not full_path.startswith(API_PREFIX + "/"):
            return Verdict(f"{method} {full_path}", [f"{full_path} is not under {API_PREFIX}"])
        path = full_path.removeprefix(API_PREFIX)
        found = self._operation(method, path)
        if found is None:
            return Verdict(f"{method} {path}", [f"the spec has no operation {method} {path}"])
        template, item = found
        verdict = Verdict(f"{method} {template}")
        operation = item[method.lower()]
        declared = {
            p["name"] for p in [*item.get("parameters", []), *operation.get("parameters", [])] if p["in"] == "query"
        }
        try:
            parameters = parse_qsl(exchange.get("query", ""), keep_blank_values=True) + body_parameters(
                exchange.get("content_type") or "", exchange.get("body") or ""
            )
        except ValueError as error:
            return Verdict(verdict.operation, [f"unreadable body: {error}"])
        documented_elsewhere = DOCUMENTED_OUTSIDE_THE_SPEC.get(verdict.operation, set())
        parameters = [(name, value) for name, value in parameters if name not in documented_elsewhere]
        undeclared = sorted({name for name, _ in parameters} - declared - {"access_token"})
        if undeclared:
            verdict.problems.append(f"parameters the spec does not declare for {verdict.operation}: {undeclared}")
        # Escapes (an id with "/" in it) would be decoded on the way in; the spec's path parameters are bare strings.
        request = WerkzeugOpenAPIRequest(
            Request(
                EnvironBuilder(
                    method=method,
                    base_url=SERVER + API_PREFIX,
                    path=path.replace("%", "_"),
                    query_string=urlencode(parameters),
                ).get_environ()
            )
        )
        errors = self._errors(self._openapi.iter_request_errors(request))
        verdict.problems.extend(f"request: {error}" for error in errors)
        if "status" in exchange:
            verdict.problems.extend(self._response_problems(request, exchange))
        return verdict

    def _response_problems(self, request: WerkzeugOpenAPIRequest, exchange: dict[str, Any]) -> list[str]:
        status, answer = exchange["status"], exchange.get("response")
        if status >= 400:
            if not (isinstance(answer, dict) and set(answer) == ERROR_FIELDS and answer["status"] == status):
                return [f"error {status} without Dimelo's error shape {sorted(ERROR_FIELDS)}: {answer!r}"]
            return []
        response = WerkzeugOpenAPIResponse(
            Response(json.dumps(_without_nulls(answer)), status=status, content_type="application/json")
        )
        return [f"response: {error}" for error in self._errors(self._openapi.iter_response_errors(request, response))]

    @staticmethod
    def _errors(errors: Iterable[Exception]) -> list[str]:
        """Each error with the schema errors behind it (openapi-core nests them)."""
        described = []
        for error in errors:
            causes = getattr(error.__cause__, "schema_errors", None) or getattr(error, "schema_errors", None) or ()
            details = "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in causes)
            described.append(f"{error}{' (' + details + ')' if details else ''}")
        return described


@functools.cache
def spec_checker() -> SpecChecker:
    """One checker per test process."""
    return SpecChecker()


def _shape(value: Any) -> Any:
    """A value as far as the spec can tell values apart: short strings (enums, flags, numbers in a query) as they
    are, longer ones (ids, bodies, dates) by their length; numbers by type; containers by the shapes inside."""
    if isinstance(value, dict):
        return tuple(sorted((key, _shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return frozenset(_shape(item) for item in value)
    if isinstance(value, str):
        return value if len(value) <= 12 else f"<{len(value)} chars>"
    if isinstance(value, bool) or value is None:
        return value
    return type(value).__name__


def _signature(exchange: dict[str, Any]) -> Any:
    """Exchanges with the same signature get the same verdict; the e2e runs make thousands of exchanges that
    differ only by ids and texts, and openapi-core takes milliseconds for each."""
    parameters = parse_qsl(exchange.get("query", ""), keep_blank_values=True)
    body = body_parameters(exchange.get("content_type") or "", exchange.get("body") or "")
    path = re.sub(r"/[^/]{13,}", "/<id>", exchange["path"])
    return (
        exchange["method"],
        path,
        _shape(dict(parameters + body)),
        frozenset(n for n, _ in parameters + body),
        exchange.get("status"),
        _shape(exchange.get("response")),
    )


def check_all(exchanges: Iterable[dict[str, Any]]) -> tuple[set[str], list[str]]:
    """The operations the exchanges exercised, and every problem found, each naming its exchange. Every exchange
    is checked; one whose signature was already checked gets the same verdict without asking openapi-core again."""
    operations, problems = set(), []
    verdicts: dict[Any, Verdict] = {}
    for exchange in exchanges:
        try:
            key = _signature(exchange)
        except ValueError:  # an unreadable body: checked on its own, and reported
            key = object()
        verdict = verdicts.get(key) or verdicts.setdefault(key, spec_checker().check(exchange))
        operations.add(verdict.operation)
        where = f"{exchange['method']} {exchange['path']}?{exchange.get('query', '')}"
        problems.extend(f"{where}: {problem}" for problem in verdict.problems)
    return operations, problems


def delivery_problems(delivery: dict[str, Any]) -> list[str]:
    """What in a webhook delivery differs from events.md's anatomy and metadata."""
    problems = []
    if set(delivery) != DELIVERY_FIELDS:
        problems.append(f"delivery fields {sorted(delivery)}, events.md lists {sorted(DELIVERY_FIELDS)}")
    for event in delivery.get("events") or []:
        problems.extend(f"event {event.get('type')} {event.get('id')}: {p}" for p in _event_problems(event))
    return problems


def _event_problems(event: dict[str, Any]) -> list[str]:
    problems = []
    if not EVENT_REQUIRED <= set(event) <= EVENT_REQUIRED | EVENT_OPTIONAL:
        allowed = f"must have {sorted(EVENT_REQUIRED)}, may have {sorted(EVENT_OPTIONAL)}"
        problems.append(f"fields {sorted(event)}: {allowed}")
    if not RFC3339.match(str(event.get("issued_at"))):
        problems.append(f"issued_at {event.get('issued_at')!r} is not RFC 3339")
    resource = event.get("resource") or {}
    if not RESOURCE_REQUIRED <= set(resource) <= RESOURCE_REQUIRED | {"metadata"}:
        problems.append(f"resource fields {sorted(resource)}")
    metadata = resource.get("metadata") or {}
    kind = str(event.get("type"))
    family = kind.split(".")[0]
    if kind in CONTENT_EVENTS and set(metadata) != CONTENT_METADATA:
        extra, missing = sorted(set(metadata) - CONTENT_METADATA), sorted(CONTENT_METADATA - set(metadata))
        problems.append(f"content metadata: not in events.md {extra}, missing {missing}")
    elif family == "content" and not set(metadata) <= CONTENT_METADATA:
        problems.append(f"content metadata not in events.md: {sorted(set(metadata) - CONTENT_METADATA)}")
    elif family == "intervention" and set(metadata) != INTERVENTION_METADATA:
        problems.append(f"intervention metadata {sorted(metadata)}, events.md lists {sorted(INTERVENTION_METADATA)}")
    elif family == "push_agent":
        if set(metadata) != PUSH_AGENT_METADATA:
            problems.append(f"push_agent metadata {sorted(metadata)}, events.md lists {sorted(PUSH_AGENT_METADATA)}")
        for channel in metadata.get("channels") or []:
            if set(channel) != PUSH_AGENT_CHANNEL:
                problems.append(f"push_agent channel {sorted(channel)}, events.md lists {sorted(PUSH_AGENT_CHANNEL)}")
    return problems
