"""Agents' presence per channel, as `GET /1.0/status` reports it and push_agent.* events announce it."""

from dimelo_sandbox.errors import ApiError
from dimelo_sandbox.events import presence_event
from dimelo_sandbox.model import ChannelStatus, User
from dimelo_sandbox.sandbox import Sandbox

STATUSES = (None, "available", "away")
BUSYNESS = ("unoccupied", "ok", "busy", "full")


def check(status: str | None, busyness: object) -> None:
    if status not in STATUSES:
        raise ApiError(400, "invalid_parameter", 'status must be "available", "away" or null')
    if busyness not in BUSYNESS:
        raise ApiError(400, "invalid_parameter", f"busyness must be one of {', '.join(BUSYNESS)}")


def set_presence(sb: Sandbox, agent: User, channel_id: str, status: str | None, busyness: str) -> None:
    """Sets one channel's status and busyness, announcing each change."""
    check(status, busyness)
    sb.world.channel(channel_id)
    before = agent.channel_statuses.get(channel_id, ChannelStatus())
    agent.channel_statuses[channel_id] = ChannelStatus(status, busyness)
    if before.status != status:
        sb.publish(presence_event(sb.world, "push_agent.availability_change", agent))
    if before.busyness != busyness:
        sb.publish(presence_event(sb.world, "push_agent.busyness_change", agent))
