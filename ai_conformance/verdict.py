"""What a rule concludes: PASS, WARN (a SHOULD of the contract not met) or FAIL (a MUST broken), and why."""

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    """A rule's conclusion, without the rule's name."""

    status: Status
    detail: str


@dataclass(frozen=True)
class Verdict:
    """A rule's conclusion: `demand` is what the contract asks (the rule's docstring's first line)."""

    rule: str
    demand: str
    status: Status
    detail: str


def judge(broken: list[str], advised: list[str], fine: str) -> Finding:
    """FAIL naming every broken MUST; else WARN naming every unmet SHOULD; else PASS saying `fine`."""
    if broken:
        return Finding(Status.FAIL, "; ".join(broken))
    if advised:
        return Finding(Status.WARN, "; ".join(advised))
    return Finding(Status.PASS, fine)


def listing(items: list[str], limit: int = 3) -> list[str]:
    """The first `limit` items, then how many more there were, so a report line stays readable."""
    if len(items) <= limit:
        return items
    return [*items[:limit], f"and {len(items) - limit} more"]
