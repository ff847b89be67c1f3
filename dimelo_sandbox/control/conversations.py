"""Playing customers and agents, and reading a thread's full transcript."""

from typing import Any

from dimelo_sandbox.control.common import ControlCall
from dimelo_sandbox.ids import iso_millis
from dimelo_sandbox.model import Content
from dimelo_sandbox.operations.imports import import_content
from dimelo_sandbox.operations.replies import agent_reply
from dimelo_sandbox.shapes import content_json, intervention_json, thread_json
from dimelo_sandbox.world import World


def send_message(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/messages {source_id?, thread_id?, body, kind?, private?, language?, customer_name?}."""
    imported = import_content(
        call.sandbox,
        call.field("kind", str, "customer"),
        call.field("body", str),
        source_id=call.field("source_id", str, None),
        thread_id=call.field("thread_id", str, None),
        private=call.field("private", bool, False),
        language=call.field("language", str, None),
        customer_name=call.field("customer_name", str, None),
    )
    world = call.sandbox.world
    return {
        "content": content_json(world, imported.content),
        "thread_id": imported.content.thread_id,
        "event_id": imported.event_id,
        "welcome": content_json(world, imported.welcome) if imported.welcome else None,
    }


def send_agent_reply(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/agent_replies {agent_id, in_reply_to_id, body}."""
    content = agent_reply(
        call.sandbox, call.field("agent_id", str), call.field("in_reply_to_id", str), call.field("body", str)
    )
    return {"content": content_json(call.sandbox.world, content), "thread_id": content.thread_id}


def _author_kind(world: World, content: Content) -> str:
    identity = world.identities[content.author_id]
    if identity.kind != "user" or identity.user_id is None:
        return identity.kind
    return "agent" if world.users[identity.user_id].kind == "agent" else "bot"


def _entry(world: World, content: Content) -> dict[str, Any]:
    return {
        "id": content.id,
        "kind": content.kind,
        "author_id": content.author_id,
        "author_kind": _author_kind(world, content),
        "creator_id": content.creator_id,
        "created_from": content.created_from,
        "status": content.status,
        "body": content.body,
        "in_reply_to_id": content.in_reply_to_id,
        "private": content.private,
        "intervention_id": content.intervention_id,
        "first_in_thread": content.first_in_thread,
        "auto_submitted": content.auto_submitted,
        "synchronization_status": content.synchronization_status,
        "structured_content": content.structured_content,
        "category_ids": list(content.category_ids),
        "created_at": iso_millis(content.created_at),
    }


def transcript(call: ControlCall) -> dict[str, Any]:
    """GET /_sandbox/threads/{thread_id}: every content with its author, the interventions, the categories' history."""
    world = call.sandbox.world
    thread = world.thread(call.path["thread_id"])
    state = thread_json(thread)
    state.update(
        closing=thread.closing, categorizing=thread.categorizing, customer_identity_id=thread.customer_identity_id
    )
    return {
        "thread": state,
        "contents": [_entry(world, world.contents[c]) for c in thread.content_ids],
        "interventions": [
            {**intervention_json(world.interventions[i]), "closing": world.interventions[i].closing}
            for i in thread.intervention_ids
        ],
        "category_history": list(thread.category_history),
    }


def list_threads(call: ControlCall) -> dict[str, Any]:
    """GET /_sandbox/threads: thread ids, oldest first."""
    return {"thread_ids": list(call.sandbox.world.threads)}
