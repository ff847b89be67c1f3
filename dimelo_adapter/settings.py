"""The adapter's settings, read from the environment."""

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from service_kit.api_root import api_root
from service_kit.settings import ServiceSettings


class AdapterSettings(ServiceSettings):
    """Environment variables named as the fields in upper case (DIMELO_API_URL, ADAPTER_LISTEN_ADDR, GRPC_TLS_*:
    service_kit.grpc_tls, ...)."""

    # A misplaced token (say, in the URL) must not be echoed in a start-up error.
    model_config = SettingsConfigDict(frozen=True)

    # The account's API root, e.g. https://acme.api.engagement.dimelo.com; the adapter appends /1.0/...
    dimelo_api_url: str
    # Sent only as `Authorization: Bearer`; its user's permissions are the adapter's.
    dimelo_access_token: SecretStr
    adapter_listen_addr: str = "[::]:50053"
    # Connect, read, write and pool timeout of each HTTP request.
    dimelo_timeout_seconds: float = Field(10.0, gt=0)
    # Further attempts of a failed call that is safe to send again (see endpoints.Endpoint).
    dimelo_max_retries: int = Field(4, ge=0)
    # HTTP requests in flight to Dimelo at once.
    dimelo_max_concurrency: int = Field(32, ge=1)
    # An idle connection to Dimelo is not used again after this long: shorter than the 5 s servers commonly keep one
    # (uvicorn's and Node's default), so that a request never goes out on a connection the server is closing. There a
    # reply's POST fails with no answer, and is not posted again until Dimelo is known not to have it (seconds).
    dimelo_keepalive_seconds: float = Field(4.0, ge=0)
    # First backoff window; each retry doubles it (full jitter), up to dimelo_retry_max_wait_seconds.
    dimelo_retry_base_seconds: float = Field(0.5, ge=0)
    # Longest wait before a retry; a Retry-After asking for more ends the retries at once.
    dimelo_retry_max_wait_seconds: float = Field(30.0, ge=0)
    # The account's REST budget: this many calls per dimelo_call_budget_seconds, for all replicas together.
    dimelo_call_budget: int = Field(500, ge=1)
    # The budget's window: Dimelo's minute; shorter only against a sandbox whose clock is scaled (tests, bench).
    dimelo_call_budget_seconds: float = Field(60.0, gt=0)
    # PostgreSQL holding the budget every replica shares; empty: each replica paces itself with the whole budget.
    adapter_database_url: SecretStr = SecretStr("")
    # How long an answer of /1.0/status (agent availability) is reused; 0 asks Dimelo for every handover.
    dimelo_agent_status_seconds: float = Field(5.0, ge=0)
    # Prometheus metrics at http://<host>:<port>/metrics; port 0 for any free port (the bound port is logged).
    # Loopback by default: in Kubernetes, the pod's address, for Prometheus to scrape.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(9465, ge=0, le=65535)
    # How long in-flight calls may run after SIGTERM.
    adapter_grace_seconds: float = Field(10.0, ge=0)

    @field_validator("dimelo_api_url")
    @classmethod
    def _api_root(cls, value: str) -> str:
        """The account's root URL: the adapter appends /1.0/... to it."""
        return api_root(value, "DIMELO_ACCESS_TOKEN", "/1.0", "https://acme.api.engagement.dimelo.com")
