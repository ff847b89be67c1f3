"""GatewaySettings from the environment: names, defaults, required token, secrets kept secret."""

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings

_VARIABLES = (
    "GATEWAY_VERIFY_TOKEN",
    "GATEWAY_WEBHOOK_SECRET",
    "ORCHESTRATOR_ADDR",
    "GATEWAY_HOST",
    "GATEWAY_PORT",
    "GATEWAY_WEBHOOK_PATH",
    "GATEWAY_MAX_BODY_BYTES",
    "GATEWAY_SUBMIT_TIMEOUT_SECONDS",
    "LOG_LEVEL",
    "GATEWAY_HEADER_READ_TIMEOUT_SECONDS",
    "GATEWAY_BODY_READ_TIMEOUT_SECONDS",
    "GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS",
    "GATEWAY_ALLOW_UNSIGNED",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_with_only_the_required_token_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: only GATEWAY_VERIFY_TOKEN and GATEWAY_WEBHOOK_SECRET. Out: the documented defaults.
    monkeypatch.setenv("GATEWAY_VERIFY_TOKEN", "tok")
    monkeypatch.setenv("GATEWAY_WEBHOOK_SECRET", "sec")
    settings = GatewaySettings()
    assert settings.verify_token.get_secret_value() == "tok"
    assert settings.webhook_secret.get_secret_value() == "sec"
    assert settings.orchestrator_addr == "localhost:50051"
    assert (settings.host, settings.port, settings.webhook_path) == ("0.0.0.0", 8080, "/dimelo/webhook")
    assert (settings.max_body_bytes, settings.submit_timeout_seconds, settings.log_level) == (1048576, 5.0, "INFO")
    assert (settings.header_read_timeout_seconds, settings.body_read_timeout_seconds) == (10.0, 10.0)
    assert (settings.keep_alive_timeout_seconds, settings.allow_unsigned) == (75.0, False)


def test_every_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: every variable set. Out: each one in its field; secrets hidden from repr.
    given = (
        "token-1",
        "secret-2",
        "orch:1",
        "127.0.0.1",
        "9000",
        "/hook",
        "2048",
        "1.5",
        "DEBUG",
        "3",
        "4",
        "6",
        "true",
    )
    values = dict(zip(_VARIABLES, given, strict=True))
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = GatewaySettings()
    assert settings.webhook_secret.get_secret_value() == "secret-2"
    assert (settings.orchestrator_addr, settings.host, settings.port) == ("orch:1", "127.0.0.1", 9000)
    assert (settings.webhook_path, settings.max_body_bytes, settings.submit_timeout_seconds) == ("/hook", 2048, 1.5)
    assert settings.log_level == "DEBUG"
    assert (settings.header_read_timeout_seconds, settings.body_read_timeout_seconds) == (3.0, 4.0)
    assert (settings.keep_alive_timeout_seconds, settings.allow_unsigned) == (6.0, True)
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


@pytest.mark.parametrize("secret", [None, ""])
def test_the_webhook_secret_is_required_unless_waived(monkeypatch: pytest.MonkeyPatch, secret: str | None) -> None:
    # In: no GATEWAY_WEBHOOK_SECRET, or an empty one (e.g. `${VAR:-}` in compose). Out: refused at start, naming the
    # setting and its waiver; with GATEWAY_ALLOW_UNSIGNED=true, taken, with no secret.
    monkeypatch.setenv("GATEWAY_VERIFY_TOKEN", "tok")
    if secret is not None:
        monkeypatch.setenv("GATEWAY_WEBHOOK_SECRET", secret)
    with pytest.raises(ValidationError, match=r"GATEWAY_WEBHOOK_SECRET is required.*GATEWAY_ALLOW_UNSIGNED=true"):
        GatewaySettings()
    monkeypatch.setenv("GATEWAY_ALLOW_UNSIGNED", "true")
    assert GatewaySettings().webhook_secret is None


@pytest.mark.parametrize(
    "broken",
    [
        {"GATEWAY_PORT": "not-a-port"},
        {"GATEWAY_VERIFY_TOKEN": ""},
        {"GATEWAY_WEBHOOK_PATH": "relative"},
        {"GATEWAY_MAX_BODY_BYTES": "-1"},
        {"GATEWAY_VERIFY_TOKEN": None},
    ],
)
def test_no_settings_error_prints_a_secret(monkeypatch: pytest.MonkeyPatch, broken: dict[str, str]) -> None:
    # In: the verify token and webhook secret set, and one setting broken (None: missing). Out: a validation error
    # whose text holds neither secret (pydantic would quote every value read).
    monkeypatch.setenv("GATEWAY_VERIFY_TOKEN", "verify-SECRET-1")
    monkeypatch.setenv("GATEWAY_WEBHOOK_SECRET", "webhook-SECRET-2")
    for name, value in broken.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        GatewaySettings()
    assert "SECRET" not in str(refused.value)
