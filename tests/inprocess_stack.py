"""The whole bridge in this process, each service started by its own factory on a loopback port 0, against an
in-process sandbox that delivers its webhook to the gateway over real HTTP."""

from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from ai_service.server import create_server as create_ai
from ai_service.settings import AiSettings
from dimelo_adapter.server import create_server as create_adapter
from dimelo_adapter.settings import AdapterSettings
from dimelo_sandbox.config import SandboxConfig
from dimelo_sandbox.serve import start_sandbox, start_server
from gateway.app import create_app
from gateway.settings import GatewaySettings
from orchestrator.intake_filter import WEBHOOK_EVENTS
from orchestrator.server import Orchestrator
from orchestrator.server import create_server as create_orchestrator
from orchestrator.settings import Settings
from tests.support.eventually import eventually

VERIFY_TOKEN = "in-process-verify-token"
WEBHOOK_SECRET = "in-process-webhook-secret"


@dataclass
class InProcessStack:
    """The running bridge: a client of the sandbox (control API and transcripts), and the orchestrator."""

    sandbox: httpx.AsyncClient
    orchestrator: Orchestrator
    world: dict

    async def customer_writes(self, body: str) -> dict:
        answer = await self.sandbox.post("/_sandbox/messages", json={"body": body})
        answer.raise_for_status()
        return answer.json()

    async def wait_for(self, thread_id: str, condition, timeout: float = 10.0) -> dict:
        """The thread's transcript once `condition(transcript)` holds; TimeoutError if it does not in time."""

        async def transcript() -> dict:
            return (await self.sandbox.get(f"/_sandbox/threads/{thread_id}")).json()

        return await eventually(transcript, condition, timeout=timeout, what=f"thread {thread_id}'s expected state")


async def start_sandbox_and_adapter(resources: AsyncExitStack) -> tuple[httpx.AsyncClient, dict, int]:
    """Starts the sandbox and the real adapter on it: a client of the sandbox, its world, and the adapter's port
    (the adapter's consumer tests use only these two); `resources` stops them in reverse order."""
    running_sandbox = await start_sandbox(SandboxConfig(port=0, seed=7, job_seconds=0.01, time_scale=0.001))
    resources.push_async_callback(running_sandbox.stop)
    sandbox = httpx.AsyncClient(base_url=running_sandbox.url, timeout=10)
    resources.push_async_callback(sandbox.aclose)
    world = (await sandbox.get("/_sandbox/world")).json()

    adapter = await create_adapter(
        AdapterSettings(
            dimelo_api_url=running_sandbox.url,
            dimelo_access_token=world["bot_user"]["token"],
            adapter_listen_addr="127.0.0.1:0",
        )
    )
    await adapter.start()
    resources.push_async_callback(adapter.stop, 0)
    return sandbox, world, adapter.port


async def start_stack(
    resources: AsyncExitStack, workdir: Path, ai_addr: str = "", **orchestrator_settings: object
) -> InProcessStack:
    """Starts sandbox, adapter, AI, orchestrator and gateway; `resources` stops them in reverse order.

    `ai_addr`: an AI service already running (e.g. another team's) instead of ours; `orchestrator_settings`
    override the orchestrator's."""
    sandbox, world, adapter_port = await start_sandbox_and_adapter(resources)
    if not ai_addr:
        ai = await create_ai(AiSettings(listen_addr="127.0.0.1:0"))
        await ai.start()
        resources.push_async_callback(ai.stop, 0)
        ai_addr = f"127.0.0.1:{ai.port}"
    settings = {
        "orchestrator_listen_addr": "127.0.0.1:0",
        "ai_addr": ai_addr,
        "dimelo_adapter_addr": f"127.0.0.1:{adapter_port}",
        "orchestrator_db_path": workdir / "orchestrator.sqlite3",
        "agent_category_ids": world["agent_category_ids"],
        "bot_category_ids": world["bot_category_ids"],
        "ordering_window_seconds": 0.0,
    }
    orchestrator = await create_orchestrator(Settings(**{**settings, **orchestrator_settings}))
    await orchestrator.start()
    resources.push_async_callback(orchestrator.stop)

    gateway_settings = GatewaySettings(
        verify_token=VERIFY_TOKEN, webhook_secret=WEBHOOK_SECRET, orchestrator_addr=f"127.0.0.1:{orchestrator.port}"
    )
    gateway = await start_server(create_app(gateway_settings), "127.0.0.1", 0)
    resources.push_async_callback(gateway.stop)
    webhook = f"{gateway.url}{gateway_settings.webhook_path}"
    subscription = {"url": webhook, "verify_token": VERIFY_TOKEN, "secret": WEBHOOK_SECRET, "events": WEBHOOK_EVENTS}
    subscribed = (await sandbox.put("/_sandbox/webhook", json=subscription)).json()
    assert subscribed.get("enabled"), subscribed
    return InProcessStack(sandbox, orchestrator, world)
