"""What the handback tests play: a customer handed over, an agent who answers and gives the thread back."""

import httpx

from tests.e2e.conftest import outcome_of
from tests.support.eventually import eventually_sync
from tests.support.metrics import metric_total


def handed_over_thread(stack, sandbox) -> tuple[str, str]:
    """A customer asks for a human: the bot hands the thread over. Returns (thread id, the customer's content id)."""
    message = sandbox.customer_writes("I want to talk to a human")
    assert outcome_of(stack, message["content"]).startswith("handed over (customer_request)")
    # The bot's intervention closes in a job: an agent replying before it ends would reply under it.
    sandbox.wait_for(message["thread_id"], lambda t: all(i["closed"] for i in t["interventions"]))
    return message["thread_id"], message["content"]["id"]


def agent_answers_then_returns(stack, sandbox, thread_id: str, content_id: str, name: str, close: bool) -> None:
    """An agent (who sees bot and agent categories) replies, moves the thread back to the bot category through the
    REST API and, with `close`, closes their intervention."""
    world = stack.world
    agent = sandbox.create_agent(
        name,
        category_ids=world["agent_category_ids"] + world["bot_category_ids"],
        token=f"{name}-token",
        permissions="all",
    )
    reply = sandbox.agent_replies(agent["id"], content_id, "Hi, an agent here: done, the bot takes it from here.")
    outcome_of(stack, reply["content"])
    rest = httpx.Client(base_url=stack.sandbox_url, headers={"Authorization": f"Bearer {agent['token']}"}, timeout=10)
    with rest:
        moved = rest.put(
            f"/1.0/content_threads/{thread_id}/update_categories",
            data={"thread_category_ids[]": world["bot_category_ids"]},
        )
        assert moved.status_code == 200, moved.text
        if close:
            closed = rest.put(f"/1.0/interventions/{reply['content']['intervention_id']}/close")
            assert closed.status_code == 200, closed.text


def handbacks(stack, signal: str) -> float:
    """The orchestrator's botbridge_handbacks_total for `signal`."""
    return metric_total(stack.services["orchestrator"].metrics_url, "botbridge_handbacks_total", signal=signal)


def wait_handbacks(stack, signal: str, count: float, timeout: float = 20.0) -> float:
    """The handbacks for `signal` once they reach `count`; TimeoutError if they do not in time."""
    return eventually_sync(
        lambda: handbacks(stack, signal),
        lambda found: found >= count,
        timeout=timeout,
        what=f"{count:g} handbacks ({signal})",
    )
