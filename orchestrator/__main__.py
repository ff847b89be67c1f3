"""`python -m orchestrator`: runs the orchestrator until SIGTERM or SIGINT (exit 0), or until a background loop
fails beyond repair (unready at once, then exit 1, for the supervisor to restart it)."""

import asyncio
import logging
import sys

from orchestrator.server import create_server
from orchestrator.settings import Settings
from orchestrator.thread_page import thread_page
from service_kit.grpc_server import wait_for_termination_signal
from service_kit.logs import configure_logging
from service_kit.metrics import serve_metrics
from service_kit.tracing import TracingSettings, configure_tracing, shutdown_tracing


async def main() -> int:
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
    signal = asyncio.create_task(wait_for_termination_signal())
    failed = asyncio.create_task(orchestrator.supervisor.failed.wait())
    await asyncio.wait([signal, failed], return_when=asyncio.FIRST_COMPLETED)
    crashed = failed.done()
    if crashed:
        await orchestrator.grpc.set_serving(False)
        logging.getLogger(__name__).critical("stopping: %s", orchestrator.supervisor.failure)
    for task in (signal, failed):
        task.cancel()
    await orchestrator.stop()
    shutdown_tracing()
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
