"""Runs the gateway with uvicorn until SIGTERM or SIGINT: `python -m gateway`."""

import uvicorn

from gateway.app import create_app
from gateway.settings import GatewaySettings
from service_kit.logs import configure_logging
from service_kit.tracing import TracingSettings, configure_tracing, shutdown_tracing


def main() -> None:
    settings = GatewaySettings()
    secrets = [settings.verify_token, settings.webhook_secret]
    configure_logging("gateway", settings.log_level, [s.get_secret_value() for s in secrets if s is not None])
    configure_tracing("gateway", TracingSettings())
    # log_config=None keeps the JSON logging above; no access log: it costs on the hot path and says little.
    # The metrics are served at /metrics on the same port.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
    shutdown_tracing()


if __name__ == "__main__":
    main()
