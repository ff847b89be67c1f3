"""AiSettings from the environment: defaults, each AI_* variable read, and what start-up refuses."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from ai_service.llm.prompt import DEFAULT_SYSTEM_PROMPT
from ai_service.settings import PACKAGED_FAQ, AiSettings

_FAQ_VARIABLES = ("AI_LISTEN_ADDR", "AI_FAQ_PATH", "AI_CONFIDENCE_THRESHOLD", "AI_GRACE_SECONDS", "LOG_LEVEL")
_LLM_VARIABLES = (
    "AI_BACKEND",
    "AI_LLM_BASE_URL",
    "AI_LLM_MODEL",
    "AI_LLM_API_KEY",
    "AI_LLM_TIMEOUT_SECONDS",
    "AI_LLM_SYSTEM_PROMPT",
    "AI_LLM_MAX_HISTORY",
    "AI_LLM_TEMPERATURE",
    "AI_LLM_USE_TOOLS",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*_FAQ_VARIABLES, *_LLM_VARIABLES):
        monkeypatch.delenv(name, raising=False)


def test_defaults_use_the_faq_backend_and_the_packaged_faq() -> None:
    # In: no variable. Out: the FAQ backend, port 50052 on every interface, the packaged faq.json, threshold 0.55.
    settings = AiSettings()
    assert settings.backend == "faq"
    assert (settings.listen_addr, settings.faq_path) == ("[::]:50052", PACKAGED_FAQ)
    assert settings.confidence_threshold == 0.55
    assert PACKAGED_FAQ.is_file()


def test_every_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: every FAQ variable set. Out: each one in its field.
    for name, value in zip(_FAQ_VARIABLES, ("127.0.0.1:1", "/tmp/faq.json", "0.7", "2", "DEBUG"), strict=True):
        monkeypatch.setenv(name, value)
    settings = AiSettings()
    assert (settings.listen_addr, settings.faq_path) == ("127.0.0.1:1", Path("/tmp/faq.json"))
    assert (settings.confidence_threshold, settings.grace_seconds, settings.log_level) == (0.7, 2.0, "DEBUG")


def test_every_llm_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: every LLM variable set, the base URL with a trailing slash. Out: each one in its field, the URL without
    # the slash, the key as a secret.
    values = ("llm", "http://localhost:11434/v1/", "llama3.1:8b", "sk-1", "4.5", "Be brief.", "6", "0", "false")
    for name, value in zip(_LLM_VARIABLES, values, strict=True):
        monkeypatch.setenv(name, value)
    settings = AiSettings()
    assert (settings.backend, settings.llm_model) == ("llm", "llama3.1:8b")
    assert settings.llm_base_url == "http://localhost:11434/v1"
    assert settings.llm_api_key.get_secret_value() == "sk-1"
    assert (settings.llm_timeout_seconds, settings.llm_system_prompt) == (4.5, "Be brief.")
    assert (settings.llm_max_history, settings.llm_temperature, settings.llm_use_tools) == (6, 0.0, False)


def test_llm_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: only AI_BACKEND, AI_LLM_BASE_URL and AI_LLM_MODEL. Out: no key, 10 s timeout, the default brief,
    # 20 messages of history, temperature 0.2, tools on.
    monkeypatch.setenv("AI_BACKEND", "llm")
    monkeypatch.setenv("AI_LLM_BASE_URL", "https://api.example.com/v1")
    monkeypatch.setenv("AI_LLM_MODEL", "some-model")
    settings = AiSettings()
    assert (settings.llm_api_key, settings.llm_timeout_seconds, settings.llm_system_prompt) == (
        None,
        10.0,
        DEFAULT_SYSTEM_PROMPT,
    )
    assert (settings.llm_max_history, settings.llm_temperature, settings.llm_use_tools) == (20, 0.2, True)


def test_threshold_outside_zero_to_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: AI_CONFIDENCE_THRESHOLD=60 (a percentage by mistake). Out: a validation error at start-up.
    monkeypatch.setenv("AI_CONFIDENCE_THRESHOLD", "60")
    with pytest.raises(ValueError, match="confidence_threshold"):
        AiSettings()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"AI_BACKEND": "llm"}, "AI_BACKEND=llm needs AI_LLM_BASE_URL and AI_LLM_MODEL"),
        ({"AI_BACKEND": "llm", "AI_LLM_BASE_URL": "http://vllm:8000/v1"}, "AI_BACKEND=llm needs AI_LLM_MODEL"),
        ({"AI_BACKEND": "openai"}, "Input should be 'faq' or 'llm'"),
        ({"AI_LLM_BASE_URL": "localhost:11434/v1"}, "must start with https:// or http://"),
        ({"AI_LLM_BASE_URL": "http://localhost:11434/v1/chat/completions"}, "must be the API root"),
        ({"AI_LLM_BASE_URL": "https://api.example.com/v1?key=abc"}, "must not carry a query"),
        ({"AI_LLM_TIMEOUT_SECONDS": "0"}, "greater than 0"),
    ],
)
def test_incomplete_or_wrong_llm_settings_are_refused(monkeypatch: pytest.MonkeyPatch, variables, message) -> None:
    # In: the LLM backend without its server or model; an unknown backend; a URL without scheme, with the
    # endpoint's path or with a query; a zero timeout. Out: a validation error saying what to fix.
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message.replace("?", r"\?")):
        AiSettings()


def test_a_key_misplaced_in_the_url_is_not_echoed_in_the_start_up_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: a base URL carrying the key as a query parameter. Out: a validation error that does not show the URL.
    monkeypatch.setenv("AI_LLM_BASE_URL", "https://api.example.com/v1?key=sk-do-not-show")
    with pytest.raises(ValidationError) as refused:
        AiSettings()
    assert "sk-do-not-show" not in str(refused.value)
