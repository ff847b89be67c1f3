"""`GET /1.0/status`: connected agents and their status and busyness per channel (no pagination)."""

from typing import Any

from dimelo_sandbox.model import User
from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.shapes import agent_status_json
from dimelo_sandbox.world import World


def _may_reply_on(world: World, agent: User, source_ids: list[str]) -> bool:
    """An agent may reply on a source when it has the reply right and works on a channel holding the source."""
    channels = [world.channels[c] for c in agent.channel_statuses if c in world.channels]
    return "reply" in agent.permissions and any(set(c.source_ids) & set(source_ids) for c in channels)


def show(call: Call) -> list[dict[str, Any]]:
    """The documented filters: `source_ids[]` keeps the agents who may reply on those sources, `category_ids[]`
    the agents in those categories; sandbox agents belong to no team and speak no listed language, so a non-empty
    `team_ids[]` or `spoken_languages[]` keeps none. Each entry lists all the agent's channels."""
    world = call.sandbox.world
    source_ids = call.params.array("source_ids")
    category_ids = call.params.array("category_ids")
    unmatched = any(call.params.array(name) for name in ("team_ids", "spoken_languages"))
    answer = []
    for agent in world.agents():
        if unmatched or not any(s.status is not None for s in agent.channel_statuses.values()):
            continue
        if category_ids is not None and not set(agent.category_ids) & set(category_ids):
            continue
        if source_ids is not None and not _may_reply_on(world, agent, source_ids):
            continue
        answer.append(agent_status_json(world, agent))
    return answer
