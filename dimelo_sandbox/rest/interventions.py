"""`/1.0/interventions`: open (or reopen) on a content, close, read, list."""

from collections.abc import Callable
from typing import Any

from dimelo_sandbox.auth import can_read
from dimelo_sandbox.errors import invalid_parameter, not_found
from dimelo_sandbox.model import Intervention
from dimelo_sandbox.operations.interventions import close_intervention, open_intervention
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.shapes import intervention_json


def create(call: Call) -> dict[str, Any]:
    content_id = call.params.require("content_id")
    return intervention_json(open_intervention(call.sandbox, call.user, content_id))


def close(call: Call) -> dict[str, Any]:
    return intervention_json(close_intervention(call.sandbox, call.user, call.path["id"]))


def show(call: Call) -> dict[str, Any]:
    intervention = call.sandbox.world.interventions.get(call.path["id"])
    if intervention is None or not can_read(call.user):
        raise not_found("intervention", call.path["id"])
    return intervention_json(intervention)


_STATUSES: dict[str, Callable[[Intervention], bool]] = {
    "active": lambda i: not i.closed,  # no intervention is ever deferred in the sandbox
    "opened": lambda i: not i.closed,
    "reopened": lambda i: False,
    "deferred": lambda i: False,
    "closed": lambda i: i.closed,
}
_SORTS = ("created_at", "updated_at")


def index(call: Call) -> dict[str, Any]:
    """Newest first by `sort` (created_at, or updated_at); filters `thread_id`, `user_id`, `identity_id`,
    `identity_group_id` (one identity per group here) and `status`."""
    params = call.params
    interventions = list(call.sandbox.world.interventions.values())
    for name, attribute in (
        ("thread_id", "thread_id"),
        ("user_id", "user_id"),
        ("identity_id", "identity_id"),
        ("identity_group_id", "identity_id"),
    ):
        value = params.get(name)
        if value:
            interventions = [i for i in interventions if getattr(i, attribute) == value]
    status = params.get("status")
    if status:
        if status not in _STATUSES:
            raise invalid_parameter("status", f"must be one of {', '.join(_STATUSES)}")
        interventions = [i for i in interventions if _STATUSES[status](i)]
    sort = params.get("sort") or "created_at"
    if sort not in _SORTS:
        raise invalid_parameter("sort", f"must be one of {', '.join(_SORTS)}")
    interventions.sort(key=lambda i: getattr(i, sort))
    interventions.reverse()
    return paginate(params, interventions, intervention_json)
