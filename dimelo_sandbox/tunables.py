"""Settings the control API can change while the sandbox runs (the start-up values come from SandboxConfig)."""

from dataclasses import asdict, dataclass, fields
from typing import Any

from dimelo_sandbox.config import SandboxConfig

# Waits before each retry of a failed webhook request, in seconds before time scaling: 5 retries over about 3 hours
# (~32 s, ~4 min, ~17 min, ~52 min, ~2 h), then the event is dropped: RingCentral's receive.md, "Endpoint
# Unavailability".
RETRY_WAITS = (32, 240, 1020, 3120, 7200)
FAILURE_WINDOW_SECONDS = 24 * 3600
RATE_WINDOW_SECONDS = 60


@dataclass
class Tunables:
    time_scale: float
    rate_limit: int
    job_seconds: float
    delivery_timeout: float
    duplicate_rate: float = 0.0
    duplicate_copies: int = 1
    reorder: bool = False
    batch_max: int = 10
    batch_window_ms: float = 0.0
    disable_after_failures: int = 10

    @classmethod
    def from_config(cls, config: SandboxConfig) -> "Tunables":
        return cls(config.time_scale, config.rate_limit, config.job_seconds, config.delivery_timeout)

    def update(self, changes: dict[str, Any]) -> None:
        """Applies the given fields, all or none; ValueError names the bad one."""
        known = {f.name: f.type for f in fields(self)}
        merged = asdict(self)
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown setting {name!r}; known: {sorted(known)}")
            merged[name] = value
        candidate = Tunables(**merged)
        candidate.validate()
        for name in changes:
            setattr(self, name, getattr(candidate, name))

    def validate(self) -> None:
        checks = {
            "time_scale": isinstance(self.time_scale, int | float) and self.time_scale > 0,
            "rate_limit": _is_int(self.rate_limit) and self.rate_limit >= 0,
            "job_seconds": isinstance(self.job_seconds, int | float) and self.job_seconds >= 0,
            "delivery_timeout": isinstance(self.delivery_timeout, int | float) and self.delivery_timeout > 0,
            "duplicate_rate": isinstance(self.duplicate_rate, int | float) and 0 <= self.duplicate_rate <= 1,
            "duplicate_copies": _is_int(self.duplicate_copies) and self.duplicate_copies >= 1,
            "reorder": isinstance(self.reorder, bool),
            "batch_max": _is_int(self.batch_max) and self.batch_max >= 1,
            "batch_window_ms": isinstance(self.batch_window_ms, int | float) and self.batch_window_ms >= 0,
            "disable_after_failures": _is_int(self.disable_after_failures) and self.disable_after_failures >= 0,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"invalid value for {', '.join(bad)}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
