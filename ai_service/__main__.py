"""Runs the AI service until SIGTERM or SIGINT: `python -m ai_service`."""

import asyncio
import logging

from ai_service.server import create_server
from ai_service.settings import AiSettings
from service_kit.grpc_server import wait_for_termination_signal
from service_kit.logs import configure_logging
from service_kit.metrics import serve_metrics
from service_kit.tracing import TracingSettings, configure_tracing, shutdown_tracing

log = logging.getLogger("ai_service")


async def main() -> None:
    settings = AiSettings()
    secrets = [settings.llm_api_key.get_secret_value()] if settings.llm_api_key else []
    configure_logging("ai_service", settings.log_level, secrets)
    configure_tracing("ai_service", TracingSettings())
    server = await create_server(settings)
    serve_metrics(settings.metrics_host, settings.metrics_port)
    await server.start()
    if settings.backend == "llm":
        backend = {"model": settings.llm_model, "base_url": settings.llm_base_url, "tools": settings.llm_use_tools}
    else:
        backend = {"threshold": settings.confidence_threshold}
    log.info("AiService listening", extra={"port": server.port, "backend": settings.backend, **backend})
    await wait_for_termination_signal()
    await server.stop(settings.grace_seconds)
    shutdown_tracing()
    log.info("AiService stopped")


if __name__ == "__main__":
    asyncio.run(main())
