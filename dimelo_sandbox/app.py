"""The ASGI app: REST API, control API, JSON errors for unknown routes, and the sandbox's start and stop."""

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from dimelo_sandbox.config import SandboxConfig
from dimelo_sandbox.control.routes import control_routes
from dimelo_sandbox.errors import ApiError
from dimelo_sandbox.responses import error_response
from dimelo_sandbox.rest.routes import rest_routes
from dimelo_sandbox.sandbox import Sandbox

_IDENTIFIERS = {404: "not_found", 405: "method_not_allowed"}


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    status = error.status_code
    message = f"no route for {request.method} {request.url.path}" if status in _IDENTIFIERS else error.detail
    return error_response(ApiError(status, _IDENTIFIERS.get(status, "invalid_request"), message))


def create_app(config: SandboxConfig) -> Starlette:
    """The app for `config`; the Sandbox is at `app.state.sandbox` (tests await `sandbox.jobs.wait_idle()`)."""
    sandbox = Sandbox(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sandbox.start()
        try:
            yield
        finally:
            await sandbox.stop()

    app = Starlette(
        routes=[*rest_routes(), *control_routes()],
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
