"""Runs the gateway with uvicorn until SIGTERM or SIGINT: `python -m gateway`."""

import sys

from gateway.server import service
from gateway.settings import GatewaySettings
from service_kit.service import run_service

if __name__ == "__main__":
    sys.exit(run_service("gateway", GatewaySettings(), service))
