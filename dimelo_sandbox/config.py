"""The sandbox's settings: environment variables (prefix SANDBOX_), overridden by command-line flags."""

from dataclasses import dataclass

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PERMISSIONS = frozenset({"read", "reply", "monitor", "close_thread", "manage_interventions"})
DEFAULT_TOKEN = "sandbox-bot-token"


@dataclass(frozen=True)
class TokenSpec:
    """An access token and the permissions of the user it belongs to."""

    token: str
    permissions: frozenset[str]


def parse_permissions(text: str) -> frozenset[str]:
    """`read+reply+monitor`, `all`, or empty for none; ValueError on an unknown permission."""
    names = {name.strip() for name in text.split("+") if name.strip()}
    if names == {"all"}:
        return PERMISSIONS
    unknown = names - PERMISSIONS
    if unknown:
        raise ValueError(f"unknown permission(s) {sorted(unknown)}; known: {sorted(PERMISSIONS)} or 'all'")
    return frozenset(names)


def parse_token(text: str) -> TokenSpec:
    """`TOKEN` (all permissions) or `TOKEN:PERMS` with PERMS as in parse_permissions."""
    token, sep, perms = text.strip().partition(":")
    if not token:
        raise ValueError("empty access token")
    return TokenSpec(token, parse_permissions(perms) if sep else PERMISSIONS)


def _token_specs(text: str) -> list[TokenSpec]:
    """Comma-separated TOKEN[:PERMS] items."""
    return [parse_token(item) for item in text.split(",") if item.strip()]


class SandboxConfig(BaseSettings):
    """Everything the sandbox reads at start; `python -m dimelo_sandbox --help` documents each value."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8700
    tokens: SecretStr = SecretStr(DEFAULT_TOKEN)
    webhook_url: str | None = None
    webhook_events: str = ""
    verify_token: SecretStr = SecretStr("sandbox-verify-token")
    webhook_secret: SecretStr | None = None
    time_scale: float = 1.0
    rate_limit: int = 500
    seed: int | None = None
    job_seconds: float = 0.5
    delivery_timeout: float = 10.0
    log_level: str = "INFO"
    record_path: str | None = None

    @field_validator("tokens")
    @classmethod
    def _tokens_parse(cls, value: SecretStr) -> SecretStr:
        if not _token_specs(value.get_secret_value()):
            raise ValueError("at least one access token is needed")
        return value

    @field_validator("time_scale", "job_seconds", "delivery_timeout")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be > 0")
        return value

    @field_validator("rate_limit")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be >= 0 (0 disables the limit)")
        return value

    def registered_events(self) -> frozenset[str] | None:
        """The event types the start-up subscription registers; None (every type) when none is named."""
        return frozenset(kind.strip() for kind in self.webhook_events.split(",") if kind.strip()) or None

    def token_specs(self) -> list[TokenSpec]:
        """The tokens in order; the first belongs to the bot user."""
        return _token_specs(self.tokens.get_secret_value())

    def secrets(self) -> list[str]:
        """Values that must never be logged."""
        values = [spec.token for spec in self.token_specs()]
        values.append(self.verify_token.get_secret_value())
        if self.webhook_secret is not None:
            values.append(self.webhook_secret.get_secret_value())
        return values
