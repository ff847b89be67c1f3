"""What the handback tests play: a customer handed over, an agent who answers and gives the thread back."""

import time

import httpx

from tests.e2e.conftest import outcome_of


def handed_over_thread(stack, sandbox) -> tuple[str, str]:
    """A customer asks for a human: the bot hands the thread over. Returns (thread id, the customer's content id)."""
    message = sandbox.customer_writes("I want to talk to a human")
    assert outcome_of(stack, message["content"]["id"]).startswith("handed over (customer_request)")
    # The bot's intervention closes in a job: an agent replying before it ends would reply under it.
    sandbox.wait_for(message["thread_id"], lambda t: all(i["closed"] for i in t["interventions"]))
    return message["thread_id"], message["content"]["id"]


def agent_answers_then_returns(stack, sandbox, thread_id: str, content_id: str, name: str, close: bool) -> None:
    """An agent (who sees bot and agent categories) replies, moves the thread back to the bot category through the
    REST API and, with `close`, closes their intervention."""
    world = stack.world
    agent = sandbox.create_agent(name, category_ids=world["agent_category_ids"] + world["bot_category_ids"],
                                 token=f"{name}-token", permissions="all")
    reply = sandbox.agent_replies(agent["id"], content_id, "Hi, an agent here: done, the bot takes it from here.")
    outcome_of(stack, reply["content"]["id"])
    rest = httpx.Client(base_url=stack.sandbox_url, headers={"Authorization": f"Bearer {agent['token']}"}, timeout=10)
    with rest:
        moved = rest.put(f"/1.0/content_threads/{thread_id}/update_categories",
                         data={"thread_category_ids[]": world["bot_category_ids"]})
        assert moved.status_code == 200, moved.text
        if close:
            closed = rest.put(f"/1.0/interventions/{reply['content']['intervention_id']}/close")
            assert closed.status_code == 200, closed.text


def handbacks(stack, signal: str) -> float:
    """The orchestrator's botbridge_handbacks_total for `signal`."""
    text = httpx.get(stack.services["orchestrator"].metrics_url, timeout=5).text
    line = f'botbridge_handbacks_total{{signal="{signal}"}} '
    return next((float(row.removeprefix(line)) for row in text.splitlines() if row.startswith(line)), 0.0)


def wait_handbacks(stack, signal: str, count: float, timeout: float = 20.0) -> float:
    deadline = time.monotonic() + timeout
    while handbacks(stack, signal) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return handbacks(stack, signal)
