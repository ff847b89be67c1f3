"""Interventions: a user's handling of a customer content. One open intervention per thread at most."""

from dimelo_sandbox.auth import can_read
from dimelo_sandbox.errors import ApiError, not_found
from dimelo_sandbox.events import intervention_event
from dimelo_sandbox.model import Content, Intervention, User
from dimelo_sandbox.sandbox import Sandbox


def start_intervention(sb: Sandbox, user: User, content: Content) -> Intervention:
    """Opens (or reopens, when the content's own intervention is closed) an intervention owned by `user`."""
    world = sb.world
    thread = world.threads[content.thread_id]
    now = world.clock()
    previous = world.interventions.get(content.intervention_id) if content.intervention_id else None
    if previous is not None and previous.closed:
        intervention, event_type = previous, "intervention.reopened"
        intervention.closed, intervention.closed_at, intervention.user_id = False, None, user.id
        intervention.updated_at = now
    else:
        intervention = Intervention(
            world.ids.object_id(),
            thread.id,
            thread.source_id,
            content.id,
            user.id,
            content.author_id,
            category_ids=list(thread.thread_category_ids),
            created_at=now,
            updated_at=now,
        )
        world.add_intervention(intervention)
        event_type = "intervention.opened"
    content.intervention_id = intervention.id
    if content.status == "new":
        content.status = "assigned"
    content.updated_at = now
    sb.publish(intervention_event(world, event_type, intervention, user.id))
    return intervention


def open_intervention(sb: Sandbox, user: User, content_id: str) -> Intervention:
    """`POST /1.0/interventions`: 422 when the intervention cannot be opened or reopened."""
    world = sb.world
    content = world.contents.get(content_id)
    if content is None or not can_read(user):
        raise not_found("content", content_id)
    thread = world.threads[content.thread_id]
    if thread.closed:
        raise ApiError(422, "intervention_cannot_be_opened", f"content thread {thread.id!r} is closed")
    if content.kind != "customer":
        raise ApiError(
            422, "intervention_cannot_be_opened", f"content {content.id!r} was not written by a customer identity"
        )
    current = world.open_intervention(thread)
    if current is not None:
        raise ApiError(
            422,
            "intervention_cannot_be_opened",
            f"intervention {current.id!r} is already open on content thread {thread.id!r}",
        )
    return start_intervention(sb, user, content)


def close_intervention(sb: Sandbox, user: User, intervention_id: str) -> Intervention:
    """`PUT /1.0/interventions/:id/close`: 409 while being closed; 403 for each of Dimelo's documented caveats."""
    world = sb.world
    intervention = world.intervention(intervention_id)
    if intervention.closing:
        raise ApiError(409, "intervention_being_closed", f"intervention {intervention.id!r} is already being closed")
    if not can_read(user):
        raise ApiError(403, "forbidden", "the token's user has no read access on the intervention's source")
    if intervention.closed:
        raise ApiError(403, "intervention_already_closed", f"intervention {intervention.id!r} is already closed")
    if intervention.user_replies_count == 0:
        raise ApiError(403, "intervention_without_replies", f"intervention {intervention.id!r} has no agent replies")
    if intervention.user_id != user.id and "manage_interventions" not in user.permissions:
        raise ApiError(403, "not_intervention_owner", f"intervention {intervention.id!r} belongs to another user")
    intervention.closing = True

    def finish() -> None:
        now = world.clock()
        intervention.closing, intervention.closed, intervention.closed_at, intervention.updated_at = (
            False,
            True,
            now,
            now,
        )
        sb.publish(intervention_event(world, "intervention.closed", intervention, user.id))

    sb.after_job(finish)
    return intervention
