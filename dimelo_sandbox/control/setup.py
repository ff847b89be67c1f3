"""Shaping the world: sources, channels, categories, agents, tokens, and agents' presence."""

from typing import Any

from dimelo_sandbox.config import parse_permissions
from dimelo_sandbox.control.common import ControlCall
from dimelo_sandbox.errors import ApiError, not_found
from dimelo_sandbox.model import Source, User
from dimelo_sandbox.operations.presence import check, set_presence
from dimelo_sandbox.shapes import source_json
from dimelo_sandbox.world import World

ROLES = (None, "bot", "agent")
WELCOME_STATUSES = ("user_initiated", "new")
_DEFAULT_AGENT_PERMISSIONS = "read+reply"


def _source_summary(world: World, source: Source) -> dict[str, Any]:
    """The source as the REST API shows it, with the settings only the control API sets."""
    return source_json(world, source) | {
        "require_intervention_for_reply": source.require_intervention_for_reply,
        "initiate_discussion": source.initiate_discussion,
        "welcome_message": source.welcome_message,
        "welcome_status": source.welcome_status,
        "company_identity_id": source.company_identity_id,
    }


def _agent_summary(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "category_ids": list(user.category_ids),
        "channels": {cid: {"status": s.status, "busyness": s.busyness} for cid, s in user.channel_statuses.items()},
    }


def world_summary(call: ControlCall) -> dict[str, Any]:
    """GET /_sandbox/world."""
    world = call.sandbox.world
    bot_token = next((t for t, uid in world.tokens.items() if uid == world.bot_user_id), None)
    return {
        "domain_id": world.domain_id,
        "bot_user": {"id": world.bot_user_id, "token": bot_token},
        "sources": [_source_summary(world, s) for s in world.sources.values()],
        "channels": [{"id": c.id, "name": c.name, "source_ids": list(c.source_ids)} for c in world.channels.values()],
        "categories": [{"id": c.id, "name": c.name, "role": c.role} for c in world.categories.values()],
        "bot_category_ids": world.categories_with_role("bot"),
        "agent_category_ids": world.categories_with_role("agent"),
        "agents": [_agent_summary(a) for a in world.agents()],
        "api_users": [
            {"id": u.id, "name": u.name, "kind": u.kind, "permissions": sorted(u.permissions)}
            for u in world.users.values()
            if u.kind != "agent"
        ],
    }


def _category_ids(call: ControlCall, name: str) -> list[str] | None:
    ids = call.string_list(name)
    for category_id in ids or ():
        call.sandbox.world.category(category_id)
    return ids


def _source_options(call: ControlCall) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name in ("require_intervention_for_reply", "initiate_discussion"):
        if name in call.body:
            options[name] = call.field(name, bool)
    if "welcome_message" in call.body:
        options["welcome_message"] = call.field("welcome_message", str, None) or None
    if "welcome_status" in call.body:
        options["welcome_status"] = call.field("welcome_status", str)
        if options["welcome_status"] not in WELCOME_STATUSES:
            raise ApiError(400, "invalid_parameter", f"welcome_status must be one of {', '.join(WELCOME_STATUSES)}")
    ids = _category_ids(call, "default_category_ids")
    if ids is not None:
        options["default_category_ids"] = ids
    return options


def create_source(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/sources {name, type?, channel_id?, require_intervention_for_reply?, ...}."""
    world = call.sandbox.world
    name = call.field("name", str)
    type_ = call.field("type", str, "engage_messaging")
    channel_id = call.field("channel_id", str, None)
    if channel_id is not None:
        world.channel(channel_id)
    source = world.add_source(name, type_, channel_id, **_source_options(call))
    return _source_summary(world, source)


def update_source(call: ControlCall) -> dict[str, Any]:
    """PATCH /_sandbox/sources/{id}: the same options as at creation."""
    world = call.sandbox.world
    source = world.source(call.path["id"])
    for name, value in _source_options(call).items():
        setattr(source, name, value)
    if "name" in call.body:
        source.name = call.field("name", str)
    return _source_summary(world, source)


def create_channel(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/channels {name, source_ids?}; a source moves to the channel that takes it."""
    world = call.sandbox.world
    name = call.field("name", str)
    source_ids = call.string_list("source_ids") or []
    for source_id in source_ids:
        world.source(source_id)
    channel = world.add_channel(name)
    for source_id in source_ids:
        for other in world.channels.values():
            if source_id in other.source_ids:
                other.source_ids.remove(source_id)
        channel.source_ids.append(source_id)
    return {"id": channel.id, "name": channel.name, "source_ids": list(channel.source_ids)}


def create_category(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/categories {name, role?: "bot" | "agent" | null}."""
    role = call.field("role", str, None)
    if role not in ROLES:
        raise ApiError(400, "invalid_parameter", 'role must be "bot", "agent" or null')
    category = call.sandbox.world.add_category(call.field("name", str), role)
    return {"id": category.id, "name": category.name, "role": category.role}


def _permissions(call: ControlCall, default: str) -> frozenset[str]:
    value = call.field("permissions", (str, list), default)
    text = "+".join(value) if isinstance(value, list) else value
    try:
        return parse_permissions(text)
    except ValueError as error:
        raise ApiError(400, "invalid_parameter", str(error)) from None


def _add_token(call: ControlCall, user: User) -> str:
    world = call.sandbox.world
    token = call.field("token", str, None) or world.ids.token()
    if token in world.tokens:
        raise ApiError(409, "conflict", "this token is already in use")
    world.add_token(token, user.id)
    return token


def create_agent(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/agents {name, category_ids?, status?, busyness?, channel_ids?, token?, permissions?}.

    The agent sees the agent categories unless `category_ids` says otherwise; with `status`, it is connected on
    `channel_ids` (all channels by default). With `token`, the agent can call the REST API too.
    """
    sb = call.sandbox
    world = sb.world
    name = call.field("name", str)
    category_ids = _category_ids(call, "category_ids")
    permissions = _permissions(call, _DEFAULT_AGENT_PERMISSIONS)
    status = call.field("status", str, None)
    busyness = call.field("busyness", str, "ok" if status else "unoccupied")
    channel_ids = call.string_list("channel_ids")
    check(status, busyness)
    agent = world.add_user(
        name, "agent", permissions, category_ids if category_ids is not None else world.categories_with_role("agent")
    )
    if status is not None:
        for channel_id in channel_ids if channel_ids is not None else list(world.channels):
            set_presence(sb, agent, channel_id, status, busyness)
    answer = _agent_summary(agent)
    if "token" in call.body:
        answer["token"] = _add_token(call, agent)
    return answer


def create_token(call: ControlCall) -> dict[str, Any]:
    """POST /_sandbox/tokens {token?, permissions?, user_id?}: a token for a user, or for a new API user."""
    world = call.sandbox.world
    user_id = call.field("user_id", str, None)
    if user_id is not None:
        user = world.user(user_id)
        if "permissions" in call.body:
            user.permissions = _permissions(call, "all")
    else:
        user = world.add_user(
            call.field("name", str, f"API user {len(world.users) + 1}"),
            "api",
            _permissions(call, "all"),
            world.categories_with_role("agent"),
        )
    return {"token": _add_token(call, user), "user_id": user.id, "permissions": sorted(user.permissions)}


def _presence_args(call: ControlCall) -> tuple[str | None, str]:
    status = call.field("status", str, None)
    busyness = call.field("busyness", str, "ok" if status == "available" else "unoccupied")
    check(status, busyness)
    return status, busyness


def set_agent_status(call: ControlCall) -> dict[str, Any]:
    """PUT /_sandbox/agents/{agent_id}/status {channel_id?, status, busyness}; all channels without channel_id."""
    sb = call.sandbox
    agent = sb.world.users.get(call.path["agent_id"])
    if agent is None or agent.kind != "agent":
        raise not_found("agent", call.path["agent_id"])
    status, busyness = _presence_args(call)
    channel_id = call.field("channel_id", str, None)
    for cid in [channel_id] if channel_id else list(sb.world.channels):
        set_presence(sb, agent, cid, status, busyness)
    return _agent_summary(agent)


def set_all_statuses(call: ControlCall) -> dict[str, Any]:
    """PUT /_sandbox/agents/status {status, busyness}: every agent on every channel."""
    sb = call.sandbox
    status, busyness = _presence_args(call)
    for agent in sb.world.agents():
        for channel_id in list(sb.world.channels):
            set_presence(sb, agent, channel_id, status, busyness)
    return {"agents": [_agent_summary(a) for a in sb.world.agents()]}
