"""`run_service`, the one start and stop of every service: the failure path (exit 1, stopped) and the secrets its
logs never show. The signal path is run by each service's own process tests (tests/dimelo_adapter/test_adapter_main.py,
tests/observability)."""

import json
import logging

import pytest
from pydantic import BaseModel, SecretStr

from service_kit.service import Service, run_service, setting_secrets


class _Settings(BaseModel):
    log_level: str = "INFO"
    token: SecretStr = SecretStr("s3cret-token")
    empty: SecretStr | None = None
    name: str = "not a secret"


@pytest.fixture
def root_logging():
    """run_service replaces the root logger's handlers (JSON on stderr): put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_setting_secrets_are_the_set_secret_fields_only():
    """In: settings with a set SecretStr, an unset one and a plain string. Out: the set secret's value only."""
    assert setting_secrets(_Settings()) == ["s3cret-token"]


def test_a_failure_beyond_repair_stops_the_service_and_exits_1(root_logging, capfd):
    """In: a service whose `failed` returns at once, logging its token. Out: started, then stopped, exit code 1, a
    "stopping" line naming the failure, and the token nowhere in the output."""
    happened = []

    async def build(settings: _Settings) -> Service:
        async def start() -> None:
            happened.append("started")
            logging.getLogger("test").info("token is %s", settings.token.get_secret_value())

        async def stop() -> None:
            happened.append("stopped")

        async def failed() -> object:
            return "the store is gone"

        return Service(start=start, stop=stop, facts=lambda: {"port": 1234}, failed=failed)

    assert run_service("test_service", _Settings(), build) == 1
    assert happened == ["started", "stopped"]
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert {"port": 1234, "service": "test_service"}.items() <= lines[1].items()
    assert any("stopping: the store is gone" in line["msg"] for line in lines)
    assert "s3cret-token" not in json.dumps(lines)
