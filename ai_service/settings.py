"""The AI service's settings, from AI_* environment variables (and LOG_LEVEL)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGED_FAQ = Path(__file__).with_name("faq.json")


class AiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AI_", populate_by_name=True, extra="ignore")

    listen_addr: str = "[::]:50052"
    faq_path: Path = PACKAGED_FAQ
    # The lowest FAQ similarity (0 to 1) answered without a human; tuned on paraphrases and off-topic questions.
    confidence_threshold: float = Field(0.55, ge=0, le=1)
    # How long in-flight calls may finish after SIGTERM.
    grace_seconds: float = Field(5.0, ge=0)
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
