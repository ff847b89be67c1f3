"""AiSettings from the environment: defaults, and each AI_* variable read."""

from pathlib import Path

import pytest

from ai_service.settings import PACKAGED_FAQ, AiSettings

_VARIABLES = ("AI_LISTEN_ADDR", "AI_FAQ_PATH", "AI_CONFIDENCE_THRESHOLD", "AI_GRACE_SECONDS", "LOG_LEVEL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_use_the_packaged_faq() -> None:
    # In: no variable. Out: port 50052 on every interface, the packaged faq.json, threshold 0.55.
    settings = AiSettings()
    assert (settings.listen_addr, settings.faq_path) == ("[::]:50052", PACKAGED_FAQ)
    assert settings.confidence_threshold == 0.55
    assert PACKAGED_FAQ.is_file()


def test_every_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: every variable set. Out: each one in its field.
    for name, value in zip(_VARIABLES, ("127.0.0.1:1", "/tmp/faq.json", "0.7", "2", "DEBUG"), strict=True):
        monkeypatch.setenv(name, value)
    settings = AiSettings()
    assert (settings.listen_addr, settings.faq_path) == ("127.0.0.1:1", Path("/tmp/faq.json"))
    assert (settings.confidence_threshold, settings.grace_seconds, settings.log_level) == (0.7, 2.0, "DEBUG")


def test_threshold_outside_zero_to_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: AI_CONFIDENCE_THRESHOLD=60 (a percentage by mistake). Out: a validation error at start-up.
    monkeypatch.setenv("AI_CONFIDENCE_THRESHOLD", "60")
    with pytest.raises(ValueError):
        AiSettings()
