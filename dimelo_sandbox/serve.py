"""Starts the sandbox, or any Starlette app the tests serve, with uvicorn on the current event loop (port 0 works)."""

import uvicorn
from starlette.applications import Starlette

from dimelo_sandbox.app import create_app
from dimelo_sandbox.config import SandboxConfig
from dimelo_sandbox.sandbox import Sandbox
from service_kit.http_server import R, RunningServer, start_http


class RunningSandbox(RunningServer):
    @property
    def sandbox(self) -> Sandbox:
        sandbox: Sandbox = self.app.state.sandbox
        return sandbox


# The ignore: mypy takes no default for a parameter typed by a TypeVar, though RunningServer is R's bound.
async def start_server(app: Starlette, host: str, port: int, running: type[R] = RunningServer) -> R:  # type: ignore[assignment]
    """Serves `app` on host:port (0: any free port); returns once its lifespan has started and it listens."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http="httptools",
        ws="none",
        lifespan="on",
        access_log=False,  # access lines would carry the access_token query parameter
        log_config=None,
        server_header=False,
        date_header=False,
    )
    return await start_http(config, running)


async def start_sandbox(config: SandboxConfig) -> RunningSandbox:
    """Starts the sandbox; when this returns the start-up handshake is done and connections are accepted."""
    return await start_server(create_app(config), config.host, config.port, RunningSandbox)
