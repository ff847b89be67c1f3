"""`/1.0/interventions`: open (or reopen) on a content, close, read, list."""

from dimelo_sandbox.auth import can_read
from dimelo_sandbox.errors import not_found
from dimelo_sandbox.operations.interventions import close_intervention, open_intervention
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.shapes import intervention_json


def create(call: Call) -> dict:
    content_id = call.params.require("content_id")
    return intervention_json(open_intervention(call.sandbox, call.user, content_id))


def close(call: Call) -> dict:
    return intervention_json(close_intervention(call.sandbox, call.user, call.path["id"]))


def show(call: Call) -> dict:
    intervention = call.sandbox.world.interventions.get(call.path["id"])
    if intervention is None or not can_read(call.user):
        raise not_found("intervention", call.path["id"])
    return intervention_json(intervention)


def index(call: Call) -> dict:
    """Oldest first; filter `thread_id`."""
    interventions = list(call.sandbox.world.interventions.values())
    thread_id = call.params.get("thread_id")
    if thread_id:
        interventions = [i for i in interventions if i.thread_id == thread_id]
    return paginate(call.params, interventions, intervention_json)
