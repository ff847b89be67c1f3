"""The adapter's settings come from the environment: required values, defaults, and a token that stays secret."""

import pytest
from adapter_testkit import API_URL, TOKEN
from pydantic import ValidationError

from dimelo_adapter.settings import AdapterSettings


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment holding none of the adapter's variables."""
    for name in AdapterSettings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def test_only_the_api_url_and_token_are_required(environment):
    """In: DIMELO_API_URL and DIMELO_ACCESS_TOKEN. Out: settings with the documented defaults."""
    environment.setenv("DIMELO_API_URL", API_URL)
    environment.setenv("DIMELO_ACCESS_TOKEN", TOKEN)

    settings = AdapterSettings()

    assert settings.dimelo_api_url == API_URL
    assert settings.dimelo_access_token.get_secret_value() == TOKEN
    assert (settings.adapter_listen_addr, settings.log_level) == ("[::]:50053", "INFO")
    assert (settings.dimelo_timeout_seconds, settings.dimelo_max_retries, settings.dimelo_max_concurrency) == (
        10,
        4,
        32,
    )
    assert settings.adapter_grace_seconds == 10


def test_the_token_does_not_show_in_the_settings_repr(environment):
    """In: settings holding the token. Out: repr and str without it."""
    environment.setenv("DIMELO_API_URL", API_URL)
    environment.setenv("DIMELO_ACCESS_TOKEN", TOKEN)

    settings = AdapterSettings()

    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)


def test_a_missing_token_is_refused_at_start(environment):
    """In: no DIMELO_ACCESS_TOKEN. Out: a validation error naming it."""
    environment.setenv("DIMELO_API_URL", API_URL)

    with pytest.raises(ValidationError, match="dimelo_access_token"):
        AdapterSettings()


def test_tuning_values_are_read_and_checked(environment):
    """In: DIMELO_MAX_RETRIES=0 and DIMELO_MAX_CONCURRENCY=0. Out: 0 retries is fine, no concurrency is refused."""
    environment.setenv("DIMELO_API_URL", API_URL)
    environment.setenv("DIMELO_ACCESS_TOKEN", TOKEN)
    environment.setenv("DIMELO_MAX_RETRIES", "0")
    assert AdapterSettings().dimelo_max_retries == 0

    environment.setenv("DIMELO_MAX_CONCURRENCY", "0")
    with pytest.raises(ValidationError, match="dimelo_max_concurrency"):
        AdapterSettings()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("acme.api.engagement.dimelo.com", "must start with https://"),
        (f"{API_URL}/1.0/", "must be the API root"),
        (f"{API_URL}?access_token={TOKEN}", "must not carry a query"),
    ],
)
def test_the_api_url_must_be_the_account_root(environment, url, problem):
    """In: an API URL without scheme, with /1.0, or with a query. Out: a validation error saying what to fix,
    without echoing the value (it may hold a token)."""
    environment.setenv("DIMELO_API_URL", url)
    environment.setenv("DIMELO_ACCESS_TOKEN", TOKEN)

    with pytest.raises(ValidationError, match=problem) as refused:
        AdapterSettings()
    assert TOKEN not in str(refused.value)


def test_a_trailing_slash_is_dropped(environment):
    """In: the root URL with a trailing slash. Out: the URL without it."""
    environment.setenv("DIMELO_API_URL", f"{API_URL}/")
    environment.setenv("DIMELO_ACCESS_TOKEN", TOKEN)

    assert AdapterSettings().dimelo_api_url == API_URL
