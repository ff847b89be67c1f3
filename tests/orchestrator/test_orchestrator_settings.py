"""The orchestrator's settings: an error never prints the database URL; metrics bind to loopback unless told."""

import pytest
from pydantic import ValidationError

from orchestrator.settings import Settings

DATABASE_URL = "postgresql://botbridge:db-PASSWORD@db.internal/botbridge"


@pytest.mark.parametrize(
    "broken",
    [{}, {"AGENT_CATEGORY_IDS": "a", "METRICS_PORT": "high"}, {"AGENT_CATEGORY_IDS": "a", "LEASE_SECONDS": "x"}],
)
def test_no_settings_error_prints_the_database_url(monkeypatch: pytest.MonkeyPatch, broken: dict[str, str]) -> None:
    # In: ORCHESTRATOR_DATABASE_URL with a password, and AGENT_CATEGORY_IDS missing or another setting broken.
    # Out: a validation error naming the setting, without the URL or its password.
    monkeypatch.delenv("AGENT_CATEGORY_IDS", raising=False)
    monkeypatch.setenv("ORCHESTRATOR_DATABASE_URL", DATABASE_URL)
    for name, value in broken.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "PASSWORD" not in str(refused.value) and "db.internal" not in str(refused.value)


def test_metrics_bind_to_loopback_unless_metrics_host_says(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: no METRICS_HOST, then METRICS_HOST=10.1.2.3 (a pod's address). Out: 127.0.0.1, then 10.1.2.3.
    monkeypatch.delenv("METRICS_HOST", raising=False)
    assert Settings(agent_category_ids=["a"]).metrics_host == "127.0.0.1"
    monkeypatch.setenv("METRICS_HOST", "10.1.2.3")
    assert Settings(agent_category_ids=["a"]).metrics_host == "10.1.2.3"
