"""Runs the gateway with uvicorn until SIGTERM or SIGINT: `python -m gateway`."""

import uvicorn

from gateway.server import server_config
from gateway.settings import GatewaySettings
from service_kit.logs import configure_logging
from service_kit.tracing import TracingSettings, configure_tracing, shutdown_tracing


def main() -> None:
    settings = GatewaySettings()
    secrets = [settings.verify_token, settings.webhook_secret]
    configure_logging("gateway", settings.log_level, [s.get_secret_value() for s in secrets if s is not None])
    configure_tracing("gateway", TracingSettings())
    # The metrics are served at /metrics on the same port.
    uvicorn.Server(server_config(settings)).run()
    shutdown_tracing()


if __name__ == "__main__":
    main()
