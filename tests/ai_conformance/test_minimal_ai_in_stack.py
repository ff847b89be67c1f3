"""The proof that the AI can be replaced: the whole bridge runs with examples/minimal_ai in place of ai_service.

Everything in-process on loopback ports: the Dimelo sandbox, the real gateway, orchestrator and Dimelo adapter,
and the example AI; the sandbox's webhook is subscribed to the gateway with the real handshake.
"""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from examples.minimal_ai import server as minimal_ai
from tests.inprocess_stack import InProcessStack, start_stack

HANDOVER_MESSAGE = "Passing you to one of our agents."


def bot_replies(transcript: dict) -> list[str]:
    return [content["body"] for content in transcript["contents"] if content["author_kind"] == "bot"]


@pytest.fixture
async def stack(tmp_path) -> AsyncIterator[InProcessStack]:
    """The bridge in-process, with the example AI (a sync gRPC server of its own) in place of ai_service."""
    ai, _, ai_port = minimal_ai.serve("127.0.0.1:0")
    try:
        async with AsyncExitStack() as resources:
            yield await start_stack(
                resources,
                tmp_path,
                ai_addr=f"127.0.0.1:{ai_port}",
                ai_deadline_seconds=2.0,
                handover_message=HANDOVER_MESSAGE,
                grace_seconds=1.0,
            )
    finally:
        ai.stop(None).wait()


async def test_the_example_answers_a_customer_through_the_whole_bridge(stack: InProcessStack):
    # In: a customer asks for the opening hours in the sandbox. Out: the bridge posts the example AI's answer in
    # the thread, and the thread stays in the bot's category.
    thread_id = (await stack.customer_writes("Hello, what are your opening hours?"))["thread_id"]

    transcript = await stack.wait_for(thread_id, lambda t: bot_replies(t))

    assert bot_replies(transcript) == [minimal_ai.OPENING_HOURS]
    assert transcript["thread"]["thread_category_ids"] == stack.world["bot_category_ids"]


async def test_the_example_hands_a_customer_over_through_the_whole_bridge(stack: InProcessStack):
    # In: a customer asks for a person. Out: the example hands over; the bridge tells the customer (agents are
    # available in the sandbox's world) and moves the thread to the agents' category.
    thread_id = (await stack.customer_writes("I want to talk to a human, please."))["thread_id"]

    def with_agents(transcript: dict) -> bool:
        return transcript["thread"]["thread_category_ids"] == stack.world["agent_category_ids"]

    transcript = await stack.wait_for(thread_id, with_agents)

    assert bot_replies(transcript) == [HANDOVER_MESSAGE]
