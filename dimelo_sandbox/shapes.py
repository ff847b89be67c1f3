"""Records as Dimelo's JSON: REST objects in the seed's shapes, and webhook resource metadata."""

import html
from typing import Any

from dimelo_sandbox.ids import day, iso_seconds
from dimelo_sandbox.model import Category, Channel, Content, Intervention, Source, Thread, User
from dimelo_sandbox.structured import capabilities
from dimelo_sandbox.world import World


def _in_reply_to_author_id(world: World, content: Content) -> str | None:
    parent = world.contents.get(content.in_reply_to_id) if content.in_reply_to_id else None
    return parent.author_id if parent else None


def content_json(world: World, content: Content) -> dict[str, Any]:
    """A content as `GET /1.0/contents/:id` answers it; `body` is kept exactly as it was written."""
    source = world.sources[content.source_id]
    thread = world.threads[content.thread_id]
    return {
        "id": content.id,
        "source_id": content.source_id,
        "source_url": None,
        "source_type": source.type,
        "thread_id": content.thread_id,
        "author_id": content.author_id,
        "creator_id": content.creator_id,
        "foreign_id": content.foreign_id,
        "type": content.type,
        "created_from": content.created_from,
        "private_message": content.private,
        "status": content.status,
        "intervention_id": content.intervention_id,
        "in_reply_to_id": content.in_reply_to_id,
        "in_reply_to_author_id": _in_reply_to_author_id(world, content),
        "language": content.language,
        "body": content.body,
        "body_formatted": {"text": content.body, "html": f"<p>{html.escape(content.body)}</p>"},
        "body_input_format": "text",
        "title": thread.title if content.first_in_thread else None,
        "first_in_thread": content.first_in_thread,
        "auto_submitted": content.auto_submitted,
        "attachments_count": 0,
        "attachments": [],
        "synchronization_status": content.synchronization_status,
        "category_ids": list(content.category_ids),
        "created_at": iso_seconds(content.created_at),
        "updated_at": iso_seconds(content.updated_at),
        "approval_required": False,
        "remotely_deleted": False,
        "published": content.synchronization_status != "pending",
        "structured_content": content.structured_content,
        "capabilities_supported": capabilities(source.type),
    }


def content_metadata(world: World, content: Content) -> dict[str, Any]:
    """A content as a webhook event's `resource.metadata`: exactly the fields events.md lists (`private`, `date`,
    ...), so no `auto_submitted` and no `category_ids`: those are only in the REST object."""
    thread = world.threads[content.thread_id]
    return {
        "id": content.id,
        "approval_required": False,
        "author_id": content.author_id,
        "body": content.body,
        "body_input_format": "text",
        "created_from": content.created_from,
        "creator_id": content.creator_id,
        "date": day(content.created_at),
        "first_in_thread": content.first_in_thread,
        "foreign_categories": [],
        "foreign_id": content.foreign_id,
        "has_attachment": False,
        "intervention_id": content.intervention_id,
        "in_reply_to_author_id": _in_reply_to_author_id(world, content),
        "in_reply_to_id": content.in_reply_to_id,
        "language": content.language,
        "private": content.private,
        "source_id": content.source_id,
        "source_type": world.sources[content.source_id].type,
        "status": content.status,
        "synchronization_status": content.synchronization_status,
        "thread_id": content.thread_id,
        "thread_title": thread.title,
        "type": content.type,
        "capabilities_supported": capabilities(world.sources[content.source_id].type),
    }


def thread_metadata(world: World, thread: Thread) -> dict[str, Any]:
    """A thread event's (`content.thread_closed`) metadata. events.md lists these events among the content ones
    and documents no metadata of their own: the sandbox sends the content metadata fields that describe a thread."""
    return {
        "source_id": thread.source_id,
        "source_type": world.sources[thread.source_id].type,
        "thread_id": thread.id,
        "thread_title": thread.title,
    }


def thread_json(thread: Thread) -> dict[str, Any]:
    """`category_ids`: the thread's own categories, then those of its contents, once each."""
    return {
        "id": thread.id,
        "source_id": thread.source_id,
        "title": thread.title,
        "interventions_count": len(thread.intervention_ids),
        "contents_count": len(thread.content_ids),
        "closed": thread.closed,
        "category_ids": list({**dict.fromkeys(thread.thread_category_ids), **thread.content_category_ids}),
        "thread_category_ids": list(thread.thread_category_ids),
        "extra_data": {},
        "foreign_id": thread.foreign_id,
        "created_at": iso_seconds(thread.created_at),
        "updated_at": iso_seconds(thread.updated_at),
    }


def intervention_json(intervention: Intervention) -> dict[str, Any]:
    """The seed's shape; `status` is the domain's localized label (a French domain here), `closed` is the state."""
    return {
        "id": intervention.id,
        "created_at": iso_seconds(intervention.created_at),
        "updated_at": iso_seconds(intervention.updated_at),
        "source_id": intervention.source_id,
        "thread_id": intervention.thread_id,
        "content_id": intervention.content_id,
        "deferred_at": None,
        "identity_id": intervention.identity_id,
        "comments_count": 0,
        "closed": intervention.closed,
        "closed_at": iso_seconds(intervention.closed_at) if intervention.closed_at else None,
        "custom_fields": {},
        "category_ids": list(intervention.category_ids),
        "user_id": intervention.user_id,
        "user_replies_count": intervention.user_replies_count,
        "user_reply_in_average": None,
        "user_reply_in_average_bh": None,
        "user_reply_in_average_count": 0,
        "first_user_reply_id": intervention.first_user_reply_id,
        "first_user_reply_in": None,
        "first_user_reply_in_bh": None,
        "last_user_reply_in": None,
        "last_user_reply_in_bh": None,
        "status": "Fermée" if intervention.closed else "Ouverte",
    }


def intervention_metadata(intervention: Intervention) -> dict[str, Any]:
    return {
        "custom_field_values": {},
        "category_ids": list(intervention.category_ids),
        "closed_at": iso_seconds(intervention.closed_at) if intervention.closed_at else None,
        "deferred_at": None,
        "identity_id": intervention.identity_id,
        "source_id": intervention.source_id,
        "thread_id": intervention.thread_id,
        "user_id": intervention.user_id,
    }


def source_json(world: World, source: Source) -> dict[str, Any]:
    """A content source with its `channel_id` (the channel whose `source_ids` hold it)."""
    channel = world.channel_of(source.id)
    return {
        "id": source.id,
        "name": source.name,
        "type": source.type,
        "channel_id": channel.id if channel else None,
        "active": True,
        "default_category_ids": list(source.default_category_ids),
        "created_at": iso_seconds(source.created_at),
        "updated_at": iso_seconds(source.created_at),
    }


def channel_json(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "source_ids": list(channel.source_ids),
        "soft_capability": 3,
        "hard_capability": 5,
        "task_timeout_seconds": 60,
        "created_at": iso_seconds(channel.created_at),
        "updated_at": iso_seconds(channel.created_at),
    }


def category_json(category: Category) -> dict[str, Any]:
    return {
        "id": category.id,
        "name": category.name,
        "color": 0,
        "parent_id": None,
        "mandatory": False,
        "post_qualification": False,
        "unselectable": False,
        "source_ids": [],
        "created_at": iso_seconds(category.created_at),
        "updated_at": iso_seconds(category.created_at),
    }


def user_json(user: User) -> dict[str, Any]:
    """A user as `GET /1.0/users/:id` (and `/1.0/users/me`) answers it."""
    return {
        "id": user.id,
        "firstname": user.name,
        "lastname": "",
        "nickname": user.name,
        "enabled": True,
        "category_ids": list(user.category_ids),
        "identity_ids": [],
        "team_ids": [],
        "spoken_languages": [],
        "created_at": iso_seconds(user.created_at),
        "updated_at": iso_seconds(user.created_at),
    }


def agent_status_json(world: World, user: User) -> dict[str, Any]:
    """One entry of `GET /1.0/status`."""
    return {"agent_id": user.id, **presence_metadata(world, user)}


def presence_metadata(world: World, user: User) -> dict[str, Any]:
    """An agent's channels and custom status: a `push_agent.*` event's metadata, as events.md lists it."""
    return {
        "channels": [
            {"id": channel_id, "name": world.channels[channel_id].name, "status": s.status, "busyness": s.busyness}
            for channel_id, s in user.channel_statuses.items()
            if channel_id in world.channels
        ],
        "custom_status": {"id": user.custom_status_id} if user.custom_status_id else None,
    }
