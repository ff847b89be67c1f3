"""The proof that the AI can be replaced: the whole bridge runs with examples/minimal_ai in place of ai_service.

Everything in-process on loopback ports: the Dimelo sandbox, the real gateway, orchestrator and Dimelo adapter,
and the example AI; the sandbox's webhook is subscribed to the gateway with the real handshake.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest

from dimelo_adapter.server import create_server as create_adapter
from dimelo_adapter.settings import AdapterSettings
from dimelo_sandbox.config import SandboxConfig
from dimelo_sandbox.serve import start_sandbox, start_server
from examples.minimal_ai import server as minimal_ai
from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from orchestrator.server import create_server as create_orchestrator
from orchestrator.settings import Settings as OrchestratorSettings

VERIFY_TOKEN = "in-stack-verify-token"
HANDOVER_MESSAGE = "Passing you to one of our agents."
SETTLE_SECONDS = 10.0
POLL_SECONDS = 0.02


@dataclass
class Stack:
    sandbox: httpx.AsyncClient
    world: dict

    async def customer_writes(self, body: str) -> str:
        """A customer message in a new thread; returns the thread id."""
        answer = await self.sandbox.post("/_sandbox/messages", json={"body": body})
        assert answer.status_code == 201, answer.text
        return answer.json()["thread_id"]

    async def wait_for(self, thread_id: str, condition: Callable[[dict], bool]) -> dict:
        """The thread's transcript once `condition` holds for it (the bridge works asynchronously)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        while True:
            transcript = (await self.sandbox.get(f"/_sandbox/threads/{thread_id}")).json()
            if condition(transcript):
                return transcript
            if loop.time() > deadline:
                raise TimeoutError(f"thread {thread_id} never reached the expected state: {transcript}")
            await asyncio.sleep(POLL_SECONDS)


def bot_replies(transcript: dict) -> list[str]:
    return [content["body"] for content in transcript["contents"] if content["author_kind"] == "bot"]


@pytest.fixture
async def stack(tmp_path) -> AsyncIterator[Stack]:
    sandbox = await start_sandbox(SandboxConfig(port=0, seed=7, job_seconds=0.01, time_scale=0.001))
    http = httpx.AsyncClient(base_url=sandbox.url, timeout=10)
    world = (await http.get("/_sandbox/world")).json()
    adapter = await create_adapter(
        AdapterSettings(
            dimelo_api_url=sandbox.url,
            dimelo_access_token=world["bot_user"]["token"],
            adapter_listen_addr="127.0.0.1:0",
        )
    )
    await adapter.start()
    ai, _, ai_port = minimal_ai.serve("127.0.0.1:0")
    orchestrator = await create_orchestrator(
        OrchestratorSettings(
            orchestrator_listen_addr="127.0.0.1:0",
            ai_addr=f"127.0.0.1:{ai_port}",
            dimelo_adapter_addr=f"127.0.0.1:{adapter.port}",
            orchestrator_db_path=tmp_path / "orchestrator.sqlite3",
            agent_category_ids=world["agent_category_ids"],
            bot_category_ids=world["bot_category_ids"],
            ai_deadline_seconds=2.0,
            handover_message=HANDOVER_MESSAGE,
            grace_seconds=1.0,
        )
    )
    await orchestrator.start()
    settings = GatewaySettings(verify_token=VERIFY_TOKEN, orchestrator_addr=f"127.0.0.1:{orchestrator.port}")
    gateway = await start_server(create_gateway(settings), "127.0.0.1", 0)
    try:
        subscribed = await http.put(
            "/_sandbox/webhook", json={"url": f"{gateway.url}{settings.webhook_path}", "verify_token": VERIFY_TOKEN}
        )
        assert subscribed.json()["enabled"], subscribed.text
        yield Stack(http, world)
    finally:
        await gateway.stop()
        await orchestrator.stop()
        ai.stop(None).wait()
        await adapter.stop(0)
        await http.aclose()
        await sandbox.stop()


async def test_the_example_answers_a_customer_through_the_whole_bridge(stack: Stack):
    # In: a customer asks for the opening hours in the sandbox. Out: the bridge posts the example AI's answer in
    # the thread, and the thread stays in the bot's category.
    thread_id = await stack.customer_writes("Hello, what are your opening hours?")

    transcript = await stack.wait_for(thread_id, lambda t: bot_replies(t))

    assert bot_replies(transcript) == [minimal_ai.OPENING_HOURS]
    assert transcript["thread"]["thread_category_ids"] == stack.world["bot_category_ids"]


async def test_the_example_hands_a_customer_over_through_the_whole_bridge(stack: Stack):
    # In: a customer asks for a person. Out: the example hands over; the bridge tells the customer (agents are
    # available in the sandbox's world) and moves the thread to the agents' category.
    thread_id = await stack.customer_writes("I want to talk to a human, please.")

    def with_agents(transcript: dict) -> bool:
        return transcript["thread"]["thread_category_ids"] == stack.world["agent_category_ids"]

    transcript = await stack.wait_for(thread_id, with_agents)

    assert bot_replies(transcript) == [HANDOVER_MESSAGE]
