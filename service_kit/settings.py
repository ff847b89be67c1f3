"""The base of every service's settings.

One naming rule: a service's own variable is its prefix (GATEWAY_, AI_; none for the adapter and the orchestrator,
whose field names already say whose they are) and the field's name in upper case; the variables every service
reads (LOG_LEVEL, GRPC_TLS_*) carry no prefix. No validation error quotes a value read (secrets among them), and
variables of other services in the same environment are ignored."""

from pydantic_settings import SettingsConfigDict

from service_kit.grpc_tls import GrpcTlsSettings
from service_kit.shared_setting import shared_setting


class ServiceSettings(GrpcTlsSettings):
    """What a service's settings inherit: the rules above, LOG_LEVEL and the gRPC certificates (GRPC_TLS_*)."""

    model_config = SettingsConfigDict(
        case_sensitive=False, extra="ignore", hide_input_in_errors=True, populate_by_name=True
    )

    log_level: str = shared_setting("LOG_LEVEL", "INFO")
