"""The gateway's settings, from GATEWAY_* environment variables (and ORCHESTRATOR_ADDR, LOG_LEVEL)."""

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", populate_by_name=True, extra="ignore")

    # The token Dimelo sends as hub.verify_token in the subscription handshake.
    verify_token: SecretStr
    # The shared secret Dimelo sends in X-Dimelo-Secret on every request, when one is configured.
    webhook_secret: SecretStr | None = None
    orchestrator_addr: str = Field("localhost:50051", validation_alias="ORCHESTRATOR_ADDR")
    host: str = "0.0.0.0"
    port: int = Field(8080, ge=0, le=65535)
    webhook_path: str = "/dimelo/webhook"
    # Longest body read; at most 8 MiB, so that the parsed delivery fits in a gRPC message (MAX_MESSAGE_BYTES).
    max_body_bytes: int = Field(1024 * 1024, gt=0, le=8 * 1024 * 1024)
    # The deadline of each orchestrator call; Dimelo should get its answer within a few seconds.
    submit_timeout_seconds: float = Field(5.0, gt=0)
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")

    @field_validator("verify_token")
    @classmethod
    def _not_empty(cls, token: SecretStr) -> SecretStr:
        if not token.get_secret_value():
            raise ValueError("must not be empty")
        return token

    @field_validator("webhook_secret")
    @classmethod
    def _empty_means_none(cls, secret: SecretStr | None) -> SecretStr | None:
        return secret if secret is not None and secret.get_secret_value() else None

    @field_validator("webhook_path")
    @classmethod
    def _absolute_path(cls, path: str) -> str:
        if not path.startswith("/") or path.endswith("/"):
            raise ValueError('must start with "/" and not end with one, e.g. "/dimelo/webhook"')
        return path
