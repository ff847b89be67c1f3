"""Thread jobs: closing and recategorizing, both asynchronous in Dimelo."""

from dimelo_sandbox.auth import can_read, require
from dimelo_sandbox.errors import ApiError, not_found
from dimelo_sandbox.events import intervention_event, thread_event
from dimelo_sandbox.ids import iso_millis
from dimelo_sandbox.model import Thread, User
from dimelo_sandbox.sandbox import Sandbox


def readable_thread(sb: Sandbox, user: User, thread_id: str) -> Thread:
    """The thread, or 404 when it does not exist or the user has no read access on its source."""
    thread = sb.world.threads.get(thread_id)
    if thread is None or not can_read(user):
        raise not_found("content thread", thread_id)
    return thread


def close_thread(sb: Sandbox, user: User, thread_id: str) -> Thread:
    """Starts the close job and returns the thread as it is now: `closed` stays false until the job is done."""
    thread = readable_thread(sb, user, thread_id)
    require(user, "close_thread", "close threads")
    if thread.closed:
        raise ApiError(403, "thread_cannot_be_closed", f"content thread {thread.id!r} is already closed")
    if not thread.closing:
        thread.closing = True

        def finish() -> None:
            world = sb.world
            now = world.clock()
            thread.closing, thread.closed, thread.updated_at = False, True, now
            for ident in thread.intervention_ids:
                intervention = world.interventions[ident]
                if not intervention.closed:
                    intervention.closed, intervention.closing, intervention.closed_at = True, False, now
                    sb.publish(intervention_event(world, "intervention.closed", intervention, user.id))
            sb.publish(thread_event(world, "content.thread_closed", thread, user.id))

        sb.after_job(finish)
    return thread


def update_categories(sb: Sandbox, user: User, thread_id: str, category_ids: list[str] | None) -> Thread:
    """Sets the thread's categories now and holds a categorization job: 409 for any other one meanwhile.

    `thread_category_ids[]` is optional in the spec, which does not say what its absence does: here the thread's
    categories stay as they are and no job starts."""
    thread = readable_thread(sb, user, thread_id)
    if category_ids is None:
        return thread
    if thread.categorizing:
        raise ApiError(409, "thread_being_categorized", f"content thread {thread.id!r} is already being categorized")
    world = sb.world
    for category_id in category_ids:
        world.category(category_id)
    now = world.clock()
    thread.thread_category_ids = list(dict.fromkeys(category_ids))
    thread.updated_at = now
    thread.categorizing = True
    thread.category_history.append(
        {"at": iso_millis(now), "category_ids": list(thread.thread_category_ids), "user_id": user.id}
    )

    def finish() -> None:
        thread.categorizing = False

    sb.after_job(finish)
    return thread
