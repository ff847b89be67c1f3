"""`python -m orchestrator`: runs the orchestrator until SIGTERM or SIGINT."""

import asyncio
import logging

from orchestrator.server import create_server
from orchestrator.settings import Settings
from service_kit.grpc_server import wait_for_termination_signal
from service_kit.logs import configure_logging


async def main() -> None:
    settings = Settings()
    configure_logging("orchestrator", settings.log_level)
    orchestrator = await create_server(settings)
    await orchestrator.start()
    logging.getLogger(__name__).info(
        "orchestrator serving", extra={"port": orchestrator.port, "db": str(settings.orchestrator_db_path)}
    )
    await wait_for_termination_signal()
    await orchestrator.stop()


if __name__ == "__main__":
    asyncio.run(main())
