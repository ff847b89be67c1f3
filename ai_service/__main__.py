"""Runs the AI service until SIGTERM or SIGINT: `python -m ai_service`."""

import sys

from ai_service.server import service
from ai_service.settings import AiSettings
from service_kit.service import run_service

if __name__ == "__main__":
    sys.exit(run_service("ai_service", AiSettings(), service))
