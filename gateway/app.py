"""The gateway's FastAPI application, with its gRPC channel to the orchestrator open for the app's lifetime,
and the process's metrics at /metrics."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException

from botbridge.orchestrator.v1 import orchestrator_pb2_grpc
from gateway import routes
from gateway.metrics import DELIVERIES, HANDSHAKES, REFUSAL_OUTCOMES
from gateway.settings import GatewaySettings
from service_kit.grpc_client import peer_channel
from service_kit.health_client import health_stub
from service_kit.retried_methods import ORCHESTRATOR_SERVICE

log = logging.getLogger(__name__)


def create_app(settings: GatewaySettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.webhook_secret is None:
            log.warning(
                "GATEWAY_ALLOW_UNSIGNED=true and no GATEWAY_WEBHOOK_SECRET: deliveries are taken without"
                " X-Dimelo-Secret, from anyone who can reach the webhook; never do this in production"
            )
        async with peer_channel(settings.orchestrator_addr, ORCHESTRATOR_SERVICE, tls=settings) as channel:
            app.state.orchestrator = orchestrator_pb2_grpc.OrchestratorServiceStub(channel)
            app.state.orchestrator_health = health_stub(channel)
            yield

    app = FastAPI(
        title="botbridge gateway",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # FastAPI's own telemetry would wrap every request (several spans each) once a tracer provider is set:
        # the webhook route makes the one span of this hop, and the metrics are Prometheus'.
        telemetry={"tracing": False, "metrics": False, "logs": False, "auto_configure": False},
        exception_handlers={HTTPException: _refusal_as_text},
    )
    app.state.settings = settings
    app.include_router(routes.webhook, prefix=settings.webhook_path)
    app.include_router(routes.probes)
    return app


async def _refusal_as_text(request: Request, refusal: HTTPException) -> PlainTextResponse:
    """Refusals (401, 403, 400 handshake, 404, 413, ...) answer a short plain-text reason; the webhook's are counted."""
    if request.url.path == request.app.state.settings.webhook_path:
        if request.method == "POST":
            DELIVERIES.labels(REFUSAL_OUTCOMES.get(refusal.status_code, "refused")).inc()
        elif request.method == "GET":
            HANDSHAKES.labels("refused").inc()
    return PlainTextResponse(refusal.detail, status_code=refusal.status_code, headers=refusal.headers)
