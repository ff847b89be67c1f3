"""The gateway's settings, from GATEWAY_* environment variables (and ORCHESTRATOR_ADDR, LOG_LEVEL)."""

from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from service_kit.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """The gateway's settings (GRPC_TLS_* turn TLS on for its channel to the orchestrator: service_kit.grpc_tls)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_")

    # The token Dimelo sends as hub.verify_token in the subscription handshake.
    verify_token: SecretStr
    # The shared secret Dimelo sends in X-Dimelo-Secret on every request: required, unless allow_unsigned.
    webhook_secret: SecretStr | None = None
    # Accept deliveries without X-Dimelo-Secret (no webhook secret set): for a local trial only, warned at start.
    allow_unsigned: bool = False
    orchestrator_addr: str = Field("localhost:50051", validation_alias="ORCHESTRATOR_ADDR")
    host: str = "0.0.0.0"
    port: int = Field(8080, ge=0, le=65535)
    webhook_path: str = "/dimelo/webhook"
    # Longest body read; at most 8 MiB, so that the parsed delivery fits in a gRPC message (MAX_MESSAGE_BYTES).
    max_body_bytes: int = Field(1024 * 1024, gt=0, le=8 * 1024 * 1024)
    # The deadline of each orchestrator call; Dimelo should get its answer within a few seconds.
    submit_timeout_seconds: float = Field(5.0, gt=0)
    # A client has this long to send a request's headers, then its body, before the connection is closed (408 for a
    # body); an idle kept-alive connection is closed after keep_alive_timeout_seconds.
    header_read_timeout_seconds: float = Field(10.0, gt=0)
    body_read_timeout_seconds: float = Field(10.0, gt=0)
    # Longer than a client keeps an idle connection for its next request (ingress-nginx: 60 s to its upstreams), so
    # that the gateway never closes one as a delivery is sent on it: that delivery would fail (nginx answers 502 and
    # retries no POST), and Dimelo counts it towards disabling the webhook.
    keep_alive_timeout_seconds: float = Field(75.0, gt=0)

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

    @model_validator(mode="after")
    def _signed_unless_waived(self) -> Self:
        if self.webhook_secret is None and not self.allow_unsigned:
            raise ValueError(
                "GATEWAY_WEBHOOK_SECRET is required: the secret Dimelo sends in X-Dimelo-Secret (set the same one in"
                " Dimelo's webhook). GATEWAY_ALLOW_UNSIGNED=true accepts unsigned deliveries, for a local trial only."
            )
        return self
