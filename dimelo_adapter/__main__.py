"""Runs the Dimelo adapter until SIGTERM or SIGINT: `python -m dimelo_adapter`."""

import asyncio
import logging

from dimelo_adapter.server import create_server
from dimelo_adapter.settings import AdapterSettings
from service_kit.grpc_server import wait_for_termination_signal
from service_kit.logs import configure_logging
from service_kit.metrics import serve_metrics
from service_kit.tracing import TracingSettings, configure_tracing, shutdown_tracing

log = logging.getLogger("dimelo_adapter")


async def serve(settings: AdapterSettings) -> None:
    server = await create_server(settings)
    await server.start()
    log.info("Dimelo adapter serving", extra={"port": server.port, "dimelo_api_url": settings.dimelo_api_url})
    await wait_for_termination_signal()
    await server.stop(settings.adapter_grace_seconds)
    shutdown_tracing()


def main() -> None:
    settings = AdapterSettings()
    secrets = [settings.dimelo_access_token.get_secret_value(), settings.adapter_database_url.get_secret_value()]
    configure_logging("dimelo_adapter", settings.log_level, secrets)
    configure_tracing("dimelo_adapter", TracingSettings())
    serve_metrics(settings.metrics_host, settings.metrics_port)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
