"""An AI service that accepts calls and never answers: the orchestrator hands over after its deadline."""

import asyncio
import threading

import grpc
import pytest

from botbridge.ai.v1 import ai_pb2_grpc
from devstack.processes import Stack
from devstack.sandbox_client import SandboxClient
from tests.e2e.conftest import bot_contents, outcome_of


class HangingAi(ai_pb2_grpc.AiServiceServicer):
    async def Respond(self, request, context):
        await asyncio.Event().wait()


@pytest.fixture(scope="module")
def hanging_ai_addr():
    """A real gRPC AI server, in a thread of the test process, whose Respond never returns."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    address = {}

    async def serve():
        server = grpc.aio.server()
        ai_pb2_grpc.add_AiServiceServicer_to_server(HangingAi(), server)
        address["value"] = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
        await server.start()
        address["server"] = server
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(serve()), loop.run_forever()), daemon=True)
    thread.start()
    ready.wait(10)
    yield address["value"]
    asyncio.run_coroutine_threadsafe(address["server"].stop(None), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_an_ai_that_hangs_leads_to_a_handover_after_the_deadline(tmp_path, hanging_ai_addr):
    with Stack(tmp_path, env={"AI_ADDR": hanging_ai_addr, "AI_DEADLINE_SECONDS": "1"}) as stack:
        sandbox = SandboxClient(stack.sandbox_url)
        agent_categories = set(stack.world["agent_category_ids"])
        message = sandbox.customer_writes("What are your opening hours?")

        transcript = sandbox.wait_for(
            message["thread_id"], lambda t: agent_categories <= set(t["thread"]["thread_category_ids"]), timeout=20
        )

        assert outcome_of(stack, message["content"]).startswith("handed over (ai_timeout)")
        assert [c["body"] for c in bot_contents(transcript)] == [
            "I'm passing you to one of our agents, who will answer you here shortly."
        ]
        sandbox.close()
