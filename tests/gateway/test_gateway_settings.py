"""GatewaySettings from the environment: names, defaults, required token, secrets kept secret."""

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings

_VARIABLES = (
    "GATEWAY_VERIFY_TOKEN", "GATEWAY_WEBHOOK_SECRET", "ORCHESTRATOR_ADDR", "GATEWAY_HOST", "GATEWAY_PORT",
    "GATEWAY_WEBHOOK_PATH", "GATEWAY_MAX_BODY_BYTES", "GATEWAY_SUBMIT_TIMEOUT_SECONDS", "LOG_LEVEL",
)  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_with_only_the_verify_token(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: only GATEWAY_VERIFY_TOKEN. Out: the documented defaults, no webhook secret.
    monkeypatch.setenv("GATEWAY_VERIFY_TOKEN", "tok")
    settings = GatewaySettings()
    assert settings.verify_token.get_secret_value() == "tok"
    assert settings.webhook_secret is None
    assert settings.orchestrator_addr == "localhost:50051"
    assert (settings.host, settings.port, settings.webhook_path) == ("0.0.0.0", 8080, "/dimelo/webhook")
    assert (settings.max_body_bytes, settings.submit_timeout_seconds, settings.log_level) == (1048576, 5.0, "INFO")


def test_every_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: every variable set. Out: each one in its field; secrets hidden from repr.
    given = ("token-1", "secret-2", "orch:1", "127.0.0.1", "9000", "/hook", "2048", "1.5", "DEBUG")
    values = dict(zip(_VARIABLES, given, strict=True))
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = GatewaySettings()
    assert settings.webhook_secret.get_secret_value() == "secret-2"
    assert (settings.orchestrator_addr, settings.host, settings.port) == ("orch:1", "127.0.0.1", 9000)
    assert (settings.webhook_path, settings.max_body_bytes, settings.submit_timeout_seconds) == ("/hook", 2048, 1.5)
    assert settings.log_level == "DEBUG"
    assert "token-1" not in repr(settings) and "secret-2" not in repr(settings)


@pytest.mark.parametrize(
    "environment",
    [{}, {"GATEWAY_VERIFY_TOKEN": ""}, {"GATEWAY_VERIFY_TOKEN": "t", "GATEWAY_WEBHOOK_PATH": "hook"}],
)
def test_missing_token_or_bad_path_is_refused(monkeypatch: pytest.MonkeyPatch, environment: dict) -> None:
    # In: no token, an empty token, or a relative webhook path. Out: a validation error at start-up.
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        GatewaySettings()


def test_empty_webhook_secret_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: GATEWAY_WEBHOOK_SECRET set but empty (e.g. `${VAR:-}` in compose). Out: no secret required.
    monkeypatch.setenv("GATEWAY_VERIFY_TOKEN", "tok")
    monkeypatch.setenv("GATEWAY_WEBHOOK_SECRET", "")
    assert GatewaySettings().webhook_secret is None
