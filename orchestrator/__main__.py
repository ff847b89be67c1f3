"""`python -m orchestrator`: runs the orchestrator until SIGTERM or SIGINT (exit 0), or until a background loop
fails beyond repair (unready at once, then exit 1, for the supervisor to restart it)."""

import sys

from orchestrator.server import service
from orchestrator.settings import Settings
from service_kit.service import run_service

if __name__ == "__main__":
    sys.exit(run_service("orchestrator", Settings(), service))
