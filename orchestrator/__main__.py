"""`python -m orchestrator`: runs the orchestrator until SIGTERM or SIGINT."""

import asyncio
import logging

from orchestrator.server import create_server
from orchestrator.settings import Settings
from orchestrator.thread_page import thread_page
from service_kit.grpc_server import wait_for_termination_signal
from service_kit.logs import configure_logging
from service_kit.metrics import serve_metrics
from service_kit.tracing import TracingSettings, configure_tracing, shutdown_tracing


async def main() -> None:
    settings = Settings()
    configure_logging("orchestrator", settings.log_level, [settings.orchestrator_database_url.get_secret_value()])
    configure_tracing("orchestrator", TracingSettings())
    orchestrator = await create_server(settings)
    page = thread_page(orchestrator.store, asyncio.get_running_loop())
    serve_metrics(settings.metrics_host, settings.metrics_port, page=page)
    await orchestrator.start()
    logging.getLogger(__name__).info(
        "orchestrator serving", extra={"port": orchestrator.port, "db": str(settings.orchestrator_db_path)}
    )
    await wait_for_termination_signal()
    await orchestrator.stop()
    shutdown_tracing()


if __name__ == "__main__":
    asyncio.run(main())
