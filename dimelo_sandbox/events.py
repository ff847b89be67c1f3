"""Webhook events as Dimelo issues them: `{type, id, issued_at, resource: {type, id, metadata}, user_id?}`."""

from typing import Any

from dimelo_sandbox.ids import iso_millis
from dimelo_sandbox.model import Content, Intervention, Thread, User
from dimelo_sandbox.shapes import content_metadata, intervention_metadata, presence_metadata, thread_metadata
from dimelo_sandbox.world import World


def _event(world: World, type_: str, resource: dict[str, Any], user_id: str | None) -> dict[str, Any]:
    event = {"type": type_, "id": world.ids.uuid(), "issued_at": iso_millis(world.clock()), "resource": resource}
    if user_id is not None:
        event["user_id"] = user_id
    return event


def content_event(world: World, type_: str, content: Content, user_id: str | None = None) -> dict[str, Any]:
    """content.imported / replied / discussion_initiated / exported; resource type "<source type>/<content type>"."""
    source = world.sources[content.source_id]
    resource = {"type": f"{source.type}/{content.type}", "id": content.id, "metadata": content_metadata(world, content)}
    return _event(world, type_, resource, user_id)


def intervention_event(world: World, type_: str, intervention: Intervention, user_id: str | None) -> dict[str, Any]:
    resource = {"type": "intervention", "id": intervention.id, "metadata": intervention_metadata(intervention)}
    return _event(world, type_, resource, user_id)


def thread_event(world: World, type_: str, thread: Thread, user_id: str | None) -> dict[str, Any]:
    """content.thread_closed; Dimelo has no content_thread.* events."""
    resource = {"type": "content_thread", "id": thread.id, "metadata": thread_metadata(world, thread)}
    return _event(world, type_, resource, user_id)


def presence_event(world: World, type_: str, user: User) -> dict[str, Any]:
    """push_agent.availability_change / busyness_change, triggered by the agent."""
    resource = {"type": "push_agent", "id": user.id, "metadata": presence_metadata(world, user)}
    return _event(world, type_, resource, user.id)
