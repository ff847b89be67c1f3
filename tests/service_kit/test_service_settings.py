"""Every service's settings stand on service_kit's ServiceSettings: one naming rule, the shared variables read the
same way in each."""

import pytest

from ai_service.settings import AiSettings
from dimelo_adapter.settings import AdapterSettings
from gateway.settings import GatewaySettings
from orchestrator.settings import Settings as OrchestratorSettings
from service_kit.settings import ServiceSettings

# Each service with the variables it requires.
SERVICES = {
    GatewaySettings: {"GATEWAY_VERIFY_TOKEN": "v", "GATEWAY_WEBHOOK_SECRET": "s"},
    AiSettings: {},
    AdapterSettings: {"DIMELO_API_URL": "https://acme.example", "DIMELO_ACCESS_TOKEN": "t"},
    OrchestratorSettings: {"AGENT_CATEGORY_IDS": "c1"},
}


@pytest.mark.parametrize("settings_class", SERVICES, ids=lambda c: c.__name__)
def test_the_shared_variables_are_read_without_a_prefix_and_others_ignored(
    monkeypatch: pytest.MonkeyPatch, settings_class: type[ServiceSettings]
) -> None:
    # In: a service's required variables, LOG_LEVEL=DEBUG, GRPC_TLS_CLIENT_AUTH unset, and another service's variable
    # in the same environment (as in a shared .env). Out: log level DEBUG in every service; the foreign one ignored.
    for name, value in {**SERVICES[settings_class], "LOG_LEVEL": "DEBUG", "SANDBOX_PORT": "1"}.items():
        monkeypatch.setenv(name, value)
    settings = settings_class()
    assert isinstance(settings, ServiceSettings)
    assert settings.log_level == "DEBUG"
    assert settings.grpc_tls_client_auth is False
