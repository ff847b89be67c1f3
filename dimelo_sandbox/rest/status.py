"""`GET /1.0/status`: connected agents and their status and busyness per channel (no pagination)."""

from dimelo_sandbox.rest.pipeline import Call
from dimelo_sandbox.shapes import agent_status_json


def show(call: Call) -> list:
    """Filters: `source_ids[]` keeps the channels holding those sources, `category_ids[]` the agents in them."""
    world = call.sandbox.world
    source_ids = call.params.array("source_ids")
    category_ids = call.params.array("category_ids")
    channel_ids = None
    if source_ids is not None:
        channel_ids = {c.id for c in world.channels.values() if set(c.source_ids) & set(source_ids)}
    answer = []
    for agent in world.agents():
        if not any(s.status is not None for s in agent.channel_statuses.values()):
            continue
        if category_ids is not None and not set(agent.category_ids) & set(category_ids):
            continue
        entry = agent_status_json(world, agent)
        if channel_ids is not None:
            entry["channels"] = [c for c in entry["channels"] if c["id"] in channel_ids]
            if not entry["channels"]:
                continue
        answer.append(entry)
    return answer
