"""Injected faults per REST endpoint: 5xx errors, 429s, timeouts and added latency, drawn at random."""

import random
from dataclasses import asdict, dataclass, fields
from fnmatch import fnmatchcase
from typing import Any

_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH"})


@dataclass(frozen=True)
class FaultRule:
    """What can go wrong on matching requests. Rates are probabilities in 0..1.

    A timeout holds the answer for `timeout_seconds`, then answers 504; with `timeout_mode` "after" the request
    was carried out first (the answer is lost, as when a proxy times out on a slow Dimelo), "before" it was not.
    """

    error_rate: float = 0.0
    error_status: int = 503
    rate_429: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    timeout_mode: str = "after"
    latency_ms: float = 0.0

    @classmethod
    def parse(cls, data: Any) -> "FaultRule":
        if not isinstance(data, dict):
            raise ValueError("a fault rule is an object")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault field(s) {sorted(unknown)}; known: {sorted(known)}")
        rule = cls(**data)
        for name in ("error_rate", "rate_429", "timeout_rate"):
            value = getattr(rule, name)
            if not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a number in 0..1")
        if not isinstance(rule.error_status, int) or not 500 <= rule.error_status <= 599:
            raise ValueError("error_status must be a 5xx status")
        if rule.timeout_mode not in ("after", "before"):
            raise ValueError('timeout_mode must be "after" or "before"')
        for name in ("timeout_seconds", "latency_ms"):
            value = getattr(rule, name)
            if not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number >= 0")
        return rule


@dataclass(frozen=True)
class FaultDraw:
    """What happens to one request: `outcome` is None, "error", "429", "timeout_before" or "timeout_after"."""

    latency: float
    outcome: str | None
    rule: FaultRule


_NONE = FaultDraw(0.0, None, FaultRule())


def _check_pattern(pattern: str) -> None:
    if pattern == "*":
        return
    method, _, path = pattern.partition(" ")
    if (method.upper() not in _METHODS and method != "*") or not path.startswith("/"):
        raise ValueError(f'fault key {pattern!r} must be "*" or "<METHOD> <path pattern>", e.g. "POST /1.0/contents"')


class Faults:
    """Rules by key "<METHOD> <path pattern>" (fnmatch: `*` matches any text) or "*" for every request."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._rules: dict[str, FaultRule] = {}

    def set(self, rules: Any) -> None:
        """Adds or replaces rules; ValueError (nothing changed) when one is malformed."""
        if not isinstance(rules, dict):
            raise ValueError('faults are an object: {"POST /1.0/contents": {"error_rate": 0.5}}')
        parsed = {}
        for key, rule in rules.items():
            _check_pattern(key)
            method, _, path = key.partition(" ")
            parsed[key if key == "*" else f"{method.upper()} {path}"] = FaultRule.parse(rule)
        self._rules.update(parsed)

    def clear(self) -> None:
        self._rules.clear()

    def as_dict(self) -> dict[str, Any]:
        return {key: asdict(rule) for key, rule in self._rules.items()}

    def _match(self, method: str, path: str) -> FaultRule | None:
        request = f"{method} {path}"
        for key, rule in self._rules.items():
            if key != "*" and fnmatchcase(request, key):
                return rule
        return self._rules.get("*")

    def draw(self, method: str, path: str) -> FaultDraw:
        if not self._rules:
            return _NONE
        rule = self._match(method, path)
        if rule is None:
            return _NONE
        roll = self._rng.random()
        outcome = None
        if roll < rule.error_rate:
            outcome = "error"
        elif roll < rule.error_rate + rule.rate_429:
            outcome = "429"
        elif roll < rule.error_rate + rule.rate_429 + rule.timeout_rate:
            outcome = f"timeout_{rule.timeout_mode}"
        return FaultDraw(rule.latency_ms / 1000, outcome, rule)
