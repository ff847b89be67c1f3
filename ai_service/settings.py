"""The AI service's settings, from AI_* environment variables (and LOG_LEVEL, METRICS_*, GRPC_TLS_*)."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from ai_service.llm.prompt import DEFAULT_SYSTEM_PROMPT
from service_kit.api_root import api_root
from service_kit.settings import ServiceSettings
from service_kit.shared_setting import shared_setting

PACKAGED_FAQ = Path(__file__).with_name("faq.json")


class AiSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AI_")

    listen_addr: str = "[::]:50052"
    # Who decides: the FAQ matcher, or an LLM behind an OpenAI-compatible chat-completions API.
    backend: Literal["faq", "llm"] = "faq"
    faq_path: Path = PACKAGED_FAQ
    # The lowest FAQ similarity (0 to 1) answered without a human; tuned on paraphrases and off-topic questions.
    confidence_threshold: float = Field(0.55, ge=0, le=1)
    # The LLM server's API root, e.g. http://localhost:11434/v1; the service appends /chat/completions.
    llm_base_url: str | None = None
    # The model name the server knows, e.g. llama3.1:8b (Ollama) or Qwen/Qwen2.5-7B-Instruct (vLLM).
    llm_model: str | None = None
    # Sent only as `Authorization: Bearer`; hosted providers need one, local servers usually not.
    llm_api_key: SecretStr | None = None
    # The longest wait for the model; a shorter gRPC deadline from the caller shortens it.
    llm_timeout_seconds: float = Field(10.0, gt=0)
    # Who the assistant is and how it answers; the handover protocol is appended to it (see llm/prompt.py).
    llm_system_prompt: str = DEFAULT_SYSTEM_PROMPT
    # How many of the thread's earlier messages (the latest ones) go with the customer's message.
    llm_max_history: int = Field(20, ge=0)
    llm_temperature: float = Field(0.2, ge=0, le=2)
    # Offer the model the handover tool; false for servers or models without tool calling (they get the
    # [HANDOVER] sentinel instead, which is understood either way).
    llm_use_tools: bool = True
    # How long in-flight calls may finish after SIGTERM.
    grace_seconds: float = Field(5.0, ge=0)
    # Prometheus metrics (the gRPC calls served, by method and code) on this host and port (port 0 for any free one).
    # Loopback by default: in Kubernetes, the pod's address, for Prometheus to scrape.
    metrics_host: str = shared_setting("METRICS_HOST", "127.0.0.1")
    metrics_port: int = shared_setting("METRICS_PORT", 9466, ge=0, le=65535)

    @field_validator("llm_base_url")
    @classmethod
    def _api_root(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return api_root(value, "AI_LLM_API_KEY", "/chat/completions", "http://localhost:11434/v1")

    @model_validator(mode="after")
    def _llm_configured(self) -> "AiSettings":
        if self.backend == "llm":
            missing = [f"AI_{name.upper()}" for name in ("llm_base_url", "llm_model") if not getattr(self, name)]
            if missing:
                raise ValueError(f"AI_BACKEND=llm needs {' and '.join(missing)}")
        return self
