"""Runs the Dimelo adapter until SIGTERM or SIGINT: `python -m dimelo_adapter`."""

import sys

from dimelo_adapter.server import service
from dimelo_adapter.settings import AdapterSettings
from service_kit.service import run_service

if __name__ == "__main__":
    sys.exit(run_service("dimelo_adapter", AdapterSettings(), service))
