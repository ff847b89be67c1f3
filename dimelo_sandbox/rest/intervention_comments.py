"""`/1.0/intervention_comments`: agents' private notes on an intervention (create, list, read, delete).

Per the reference: `body`, `intervention_id` and `user_id` are mandatory; the comment is created as the token's
user; 404 when that user can't read the intervention's source; 422 when the comment can't be created. A comment is
never a content: the customer never sees it. Lists are newest first and filter on `intervention_id`, `thread_id`,
`user_id` and `identity_id`.
"""

from dataclasses import dataclass
from typing import Any

from dimelo_sandbox.auth import can_read
from dimelo_sandbox.errors import ApiError, not_found
from dimelo_sandbox.ids import iso_seconds
from dimelo_sandbox.rest.pagination import paginate
from dimelo_sandbox.rest.pipeline import Call


@dataclass
class InterventionComment:
    id: str
    intervention_id: str
    thread_id: str
    user_id: str
    identity_id: str
    body: str
    created_at: float


def comment_json(comment: InterventionComment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "body": comment.body,
        "intervention_id": comment.intervention_id,
        "thread_id": comment.thread_id,
        "user_id": comment.user_id,
        "videntity_id": comment.identity_id,
        "created_at": iso_seconds(comment.created_at),
        "updated_at": iso_seconds(comment.created_at),
    }


def create(call: Call) -> dict[str, Any]:
    body = call.params.require("body")
    intervention_id = call.params.require("intervention_id")
    user_id = call.params.require("user_id")
    world = call.sandbox.world
    intervention = world.interventions.get(intervention_id)
    if intervention is None or not can_read(call.user):
        raise not_found("intervention", intervention_id)
    if not body.strip():
        raise ApiError(422, "unprocessable_entity", "body can't be blank")
    if user_id not in world.users:
        raise ApiError(422, "unprocessable_entity", f"user_id {user_id!r} is not a user of this domain")
    comment = InterventionComment(
        world.ids.object_id(),
        intervention.id,
        intervention.thread_id,
        call.user.id,
        intervention.identity_id,
        body,
        world.clock(),
    )
    world.intervention_comments[comment.id] = comment
    return comment_json(comment)


def index(call: Call) -> dict[str, Any]:
    comments = sorted(call.sandbox.world.intervention_comments.values(), key=lambda c: c.created_at, reverse=True)
    for name, attribute in (
        ("intervention_id", "intervention_id"),
        ("thread_id", "thread_id"),
        ("user_id", "user_id"),
        ("identity_id", "identity_id"),
    ):
        wanted = call.params.get(name)
        if wanted:
            comments = [c for c in comments if getattr(c, attribute) == wanted]
    return paginate(call.params, comments if can_read(call.user) else [], comment_json)


def _comment(call: Call) -> InterventionComment:
    comment: InterventionComment | None = call.sandbox.world.intervention_comments.get(call.path["id"])
    if comment is None or not can_read(call.user):
        raise not_found("intervention comment", call.path["id"])
    return comment


def show(call: Call) -> dict[str, Any]:
    return comment_json(_comment(call))


def destroy(call: Call) -> dict[str, Any]:
    comment = _comment(call)
    del call.sandbox.world.intervention_comments[comment.id]
    return comment_json(comment)
