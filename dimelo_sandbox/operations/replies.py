"""Contents written inside Dimelo: by a token's user through `POST /1.0/contents`, or by an agent in the UI.

They are announced as `content.replied` (or `content.discussion_initiated`), never `content.imported`, and are
exported to the source by a job: `synchronization_status` is "pending" until `content.exported` is issued.
"""

from typing import Any

from dimelo_sandbox.auth import can_read, require
from dimelo_sandbox.errors import ApiError, missing_parameter, not_found
from dimelo_sandbox.events import content_event
from dimelo_sandbox.forms import Params
from dimelo_sandbox.model import Content, Intervention, Source, Thread, User
from dimelo_sandbox.operations.interventions import start_intervention
from dimelo_sandbox.sandbox import Sandbox
from dimelo_sandbox.structured import body_of, validated


def _export_later(sb: Sandbox, content: Content) -> None:
    def export() -> None:
        content.synchronization_status = "success"
        content.foreign_id = sb.world.ids.token()[:16]
        content.updated_at = sb.world.clock()
        sb.publish(content_event(sb.world, "content.exported", content))

    sb.after_job(export)


def _write(
    sb: Sandbox,
    user: User,
    thread: Thread,
    author_id: str,
    body: str,
    parent: Content | None,
    intervention: Intervention | None,
    private: bool,
    created_from: str,
    structured: dict[str, Any] | None = None,
) -> Content:
    """Stores a user's content, counts it on the intervention, announces it, and schedules its export."""
    world = sb.world
    now = world.clock()
    content = Content(
        world.ids.object_id(),
        thread.id,
        thread.source_id,
        author_id,
        "api" if created_from == "api" else "agent",
        body,
        created_from=created_from,
        status="user_reply" if parent else "user_initiated",
        creator_id=user.id,
        in_reply_to_id=parent.id if parent else None,
        intervention_id=intervention.id if intervention else None,
        private=private,
        first_in_thread=not thread.content_ids,
        synchronization_status="pending",
        category_ids=list(thread.thread_category_ids),
        created_at=now,
        updated_at=now,
        structured_content=structured,
    )
    world.add_content(content)
    thread.updated_at = now
    if parent is not None and parent.kind == "customer":
        parent.status = "replied"
        parent.updated_at = now
    if intervention is not None:
        intervention.user_replies_count += 1
        intervention.first_user_reply_id = intervention.first_user_reply_id or content.id
        intervention.updated_at = now
    event_type = "content.replied" if parent else "content.discussion_initiated"
    sb.publish(content_event(world, event_type, content, user.id))
    _export_later(sb, content)
    return content


def _author(sb: Sandbox, user: User, source: Source, author_id: str | None) -> str:
    """The identity to write as: the user's own on the source by default, or the source's company identity."""
    if not author_id:
        return sb.world.user_identity(user, source.id).id
    identity = sb.world.identities.get(author_id)
    if identity is None or identity.source_id != source.id:
        raise not_found("identity", author_id)
    if identity.kind == "customer" or (identity.kind == "user" and identity.user_id != user.id):
        raise ApiError(403, "forbidden", f"the token's user cannot write as identity {author_id!r}")
    return identity.id


def create_content(sb: Sandbox, user: User, params: Params) -> Content:
    """`POST /1.0/contents`: a reply (`in_reply_to_id`) or a new discussion (`source_id`), with Dimelo's checks."""
    require(user, "reply", "reply or initiate discussions")
    structured = params.documents.get("structured_content")
    body = params.require("body") if structured is None else params.get("body") or ""
    private = params.flag("private")
    world = sb.world
    in_reply_to_id = params.get("in_reply_to_id")
    if not in_reply_to_id:
        source = world.source(params.require("source_id"))
        if not can_read(user):
            raise not_found("source", source.id)
        if not source.initiate_discussion:
            raise ApiError(
                400,
                "missing_parameter",
                f"parameter in_reply_to_id is mandatory: source {source.id!r} cannot initiate discussions",
            )
        author_id = _author(sb, user, source, params.get("author_id"))
        structured, body = _structured(structured, body, source)
        thread = Thread(
            world.ids.object_id(),
            source.id,
            body[:80],
            None,
            world.ids.token()[:12],
            thread_category_ids=list(source.default_category_ids),
            created_at=world.clock(),
            updated_at=world.clock(),
        )
        world.add_thread(thread)
        return _write(sb, user, thread, author_id, body, None, None, private, "api", structured)
    parent = world.contents.get(in_reply_to_id)
    if parent is None or not can_read(user):
        raise not_found("content", in_reply_to_id)
    thread = world.threads[parent.thread_id]
    source = world.sources[parent.source_id]
    if thread.closed:
        raise ApiError(403, "thread_closed", f"content thread {thread.id!r} is closed: replies are not allowed")
    if parent.synchronization_status == "pending":
        raise ApiError(
            403, "in_reply_to_not_synchronized", f"content {parent.id!r} is not synchronized with its source yet"
        )
    parent_intervention = world.interventions.get(parent.intervention_id) if parent.intervention_id else None
    under_open = parent_intervention is not None and not parent_intervention.closed
    if source.require_intervention_for_reply and not under_open:
        raise ApiError(
            403,
            "in_reply_to_not_under_intervention",
            f"content {parent.id!r} is not under an open intervention: open one (POST /1.0/interventions) first",
        )
    author_id = _author(sb, user, source, params.get("author_id"))
    structured, body = _structured(structured, body, source)
    intervention = parent_intervention if under_open else world.open_intervention(thread)
    return _write(sb, user, thread, author_id, body, parent, intervention, private, "api", structured)


def _structured(structured: object, body: str, source: Source) -> tuple[dict[str, Any] | None, str]:
    """A structured message checked against the reference and the source's channel, and the text it shows."""
    if structured is None:
        return None, body
    checked = validated(structured, source.type)
    text = body_of(checked, body)
    if not text.strip():
        raise missing_parameter("body")
    return checked, text


def agent_reply(sb: Sandbox, agent_id: str, in_reply_to_id: str, body: str) -> Content:
    """An agent answers in the UI: only in a thread categorized for agents; opens an intervention when none is open."""
    world = sb.world
    agent = world.users.get(agent_id)
    if agent is None or agent.kind != "agent":
        raise not_found("agent", agent_id)
    if not body:
        raise missing_parameter("body")
    parent = world.content(in_reply_to_id)
    thread = world.threads[parent.thread_id]
    if thread.closed:
        raise ApiError(403, "thread_closed", f"content thread {thread.id!r} is closed: replies are not allowed")
    if not set(thread.thread_category_ids) & set(agent.category_ids):
        raise ApiError(
            403,
            "forbidden",
            f"agent {agent.name!r} cannot see thread {thread.id!r}: none of its categories is the agent's "
            "(recategorize it, e.g. with PUT /1.0/content_threads/:id/update_categories)",
        )
    intervention = world.open_intervention(thread)
    if intervention is None:
        customer = next(
            (world.contents[c] for c in reversed(thread.content_ids) if world.contents[c].kind == "customer"), None
        )
        if customer is not None:
            intervention = start_intervention(sb, agent, customer)
    author_id = world.user_identity(agent, thread.source_id).id
    return _write(sb, agent, thread, author_id, body, parent, intervention, False, "interface")
