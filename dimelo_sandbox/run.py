"""Runs the sandbox for `python -m dimelo_sandbox`: prints `SANDBOX_READY http://HOST:PORT`, stops on SIGTERM/SIGINT."""

import logging
import sys

import uvloop

from dimelo_sandbox.cli import parse_command_line
from dimelo_sandbox.config import SandboxConfig
from dimelo_sandbox.serve import start_sandbox
from service_kit.grpc_server import wait_for_termination_signal
from service_kit.logs import configure_logging

log = logging.getLogger("dimelo_sandbox")


async def _run(config: SandboxConfig) -> None:
    running = await start_sandbox(config)
    log.info("sandbox listening", extra={"url": running.url})
    # A protocol line for parent processes, not a log record: exactly one line on stdout.
    sys.stdout.write(f"SANDBOX_READY {running.url}\n")
    sys.stdout.flush()
    await wait_for_termination_signal()
    await running.stop()


def main() -> None:
    config = parse_command_line()
    configure_logging("dimelo_sandbox", config.log_level, secrets=config.secrets())
    uvloop.run(_run(config))
