"""The demo conversation: one question the bot answers, one the bot hands over to an agent."""

import contextlib
from collections.abc import Callable

from devstack.sandbox_client import Json, SandboxClient

QUESTION = "Hello, how do I return an item?"
HUMAN_PLEASE = "I'd like to talk to a human, please."


def bot_answered(transcript: Json) -> bool:
    return any(c["author_kind"] == "bot" for c in transcript["contents"])


def handed_over(agent_category_ids: list[str]) -> Callable[[Json], bool]:
    def check(transcript: Json) -> bool:
        return set(agent_category_ids) <= set(transcript["thread"]["thread_category_ids"])

    return check


def interventions_closed(transcript: Json) -> bool:
    return all(intervention.get("closed") for intervention in transcript.get("interventions", []))


def play(sandbox: SandboxClient) -> list[Json]:
    """Plays both conversations and returns their final transcripts."""
    world = sandbox.world()
    answered = sandbox.customer_writes(QUESTION)
    first = sandbox.wait_for(answered["thread_id"], bot_answered)
    handover = sandbox.customer_writes(HUMAN_PLEASE)
    second = sandbox.wait_for(handover["thread_id"], handed_over(world["agent_category_ids"]))
    # Dimelo closes an intervention in the background (409 meanwhile): the bot's closes a moment after the handover.
    with contextlib.suppress(TimeoutError):
        second = sandbox.wait_for(handover["thread_id"], interventions_closed, timeout=5)
    return [first, second]


def render(transcript: Json, category_names: dict[str, str]) -> str:
    """A transcript as a person reads it."""
    thread = transcript["thread"]
    categories = ", ".join(category_names.get(c, c) for c in thread["thread_category_ids"]) or "none"
    lines = [f"Thread {thread['id']}  (categories: {categories}; closed: {thread.get('closed', False)})"]
    for content in transcript["contents"]:
        body = content["body"].replace("\n", "\n" + " " * 14)
        lines.append(f"  {content['author_kind']:>10}: {body}")
    for intervention in transcript.get("interventions", []):
        state = "closed" if intervention.get("closed") else "open"
        lines.append(f"  intervention {intervention['id']} ({state})")
    return "\n".join(lines)
