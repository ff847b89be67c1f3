"""README's configuration table and the services' settings classes agree, both ways: every variable a service reads
is in the table with its default, and every variable in the table is read by the service it names. The variables
and defaults come from the pydantic settings classes themselves, so a new setting without its row fails here."""

import re
from enum import Enum
from pathlib import Path

import pytest
from pydantic import AliasChoices, BaseModel, SecretStr
from pydantic_core import PydanticUndefined

from ai_service.settings import AiSettings
from dimelo_adapter.settings import AdapterSettings
from gateway.settings import GatewaySettings
from orchestrator.settings import Settings as OrchestratorSettings
from service_kit.service import ReadySettings
from service_kit.tracing import TracingSettings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# The table's service names; every service also reads the tracing variables and READY_FILE (run_service).
SERVICES: dict[str, tuple[type[BaseModel], ...]] = {
    "gateway": (GatewaySettings, TracingSettings, ReadySettings),
    "orchestrator": (OrchestratorSettings, TracingSettings, ReadySettings),
    "Dimelo adapter": (AdapterSettings, TracingSettings, ReadySettings),
    "AI service": (AiSettings, TracingSettings, ReadySettings),
}
EVERY_SERVICE = "every service"
REQUIRED = "(required)"
# A default this long is shown by its start, ended with "…".
SHORTENED = "…"


def variable_name(settings: type[BaseModel], field_name: str) -> str:
    """The environment variable pydantic-settings reads the field from: its alias, else prefix + name."""
    alias = settings.model_fields[field_name].validation_alias
    if isinstance(alias, str):
        return alias
    if isinstance(alias, AliasChoices):
        return next(choice for choice in alias.choices if isinstance(choice, str) and choice.isupper())
    return (settings.model_config.get("env_prefix", "") + field_name).upper()


def default_text(settings: type[BaseModel], field_name: str) -> str:
    """The field's default as the table writes it."""
    field = settings.model_fields[field_name]
    if field.default_factory is not None:
        factory = field.default_factory
        return "" if factory is list else f"{factory.__name__}()"  # type: ignore[union-attr]
    value = field.default
    if value is PydanticUndefined:
        return REQUIRED
    if value is None:
        return ""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Path) and value.is_absolute():
        return str(value.relative_to(ROOT))
    return str(value)


def settings_variables(service: str) -> dict[str, str]:
    """Every variable `service` reads, with its default."""
    return {
        variable_name(settings, name): default_text(settings, name)
        for settings in SERVICES[service]
        for name in settings.model_fields
    }


def table_variables() -> dict[str, dict[str, str]]:
    """The README table's rows by service: variable -> default (an empty service cell continues the one above)."""
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]  # after the header
    found: dict[str, dict[str, str]] = {name: {} for name in SERVICES}
    service = ""
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        service = cells[0] or service
        [variable] = re.fullmatch(r"`([A-Z0-9_]+)`", cells[1]).groups()  # type: ignore[union-attr]
        default = cells[2].strip("`")
        for name in SERVICES if service == EVERY_SERVICE else [service]:
            assert variable not in found[name], f"{variable} appears twice for the {name}"
            found[name][variable] = default
    return found


def matches(shown: str, default: str) -> bool:
    return default.startswith(shown[: -len(SHORTENED)]) if shown.endswith(SHORTENED) else shown == default


@pytest.mark.parametrize("service", SERVICES)
def test_the_table_lists_every_variable_the_service_reads_and_no_other(service: str) -> None:
    """In: the service's settings classes and README's table. Out: the same set of variable names."""
    in_table, in_settings = set(table_variables()[service]), set(settings_variables(service))
    assert sorted(in_settings - in_table) == [], "read by the service, missing from README's table"
    assert sorted(in_table - in_settings) == [], "in README's table, read by no settings field of the service"


@pytest.mark.parametrize("service", SERVICES)
def test_the_table_shows_each_default_as_the_settings_have_it(service: str) -> None:
    """In: each variable's default in the settings and in the table. Out: equal ("…" ends a shortened one)."""
    shown = table_variables()[service]
    wrong = {
        variable: (shown[variable], default)
        for variable, default in settings_variables(service).items()
        if variable in shown and not matches(shown[variable], default)
    }
    assert wrong == {}, "README shows (this, not the settings' default)"


def test_the_table_says_how_to_start_each_service_by_hand() -> None:
    """In: README's configuration section. Out: a `python -m` command for each service's package."""
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for package in ("gateway", "orchestrator", "dimelo_adapter", "ai_service"):
        assert f"python -m {package}" in section
