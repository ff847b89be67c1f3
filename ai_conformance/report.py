"""The kit's report: one line per rule (PASS, WARN or FAIL, and why), or the same as JSON."""

import json
from collections import Counter
from collections.abc import Sequence

from ai_conformance.verdict import Status, Verdict


def conforms(verdicts: Sequence[Verdict]) -> bool:
    """True when no rule failed: warnings (SHOULDs not met) do not make a service non-conforming."""
    return all(verdict.status is not Status.FAIL for verdict in verdicts)


def render_text(address: str, verdicts: Sequence[Verdict]) -> str:
    """A line per rule; a FAIL or WARN line is followed by what the contract demands."""
    width = max(len(verdict.rule) for verdict in verdicts)
    lines = []
    for verdict in verdicts:
        lines.append(f"{verdict.status}  {verdict.rule:<{width}}  {verdict.detail}")
        if verdict.status is not Status.PASS:
            lines.append(f"      {'':<{width}}  contract: {verdict.demand}")
    counts = Counter(verdict.status for verdict in verdicts)
    summary = ", ".join(f"{counts[status]} {status}" for status in Status)
    outcome = "conforms to botbridge.ai.v1" if conforms(verdicts) else "does NOT conform to botbridge.ai.v1"
    lines.append(f"{address} {outcome} ({summary})")
    return "\n".join(lines) + "\n"


def render_json(address: str, verdicts: Sequence[Verdict]) -> str:
    """{"address", "conforms", "rules": [{"rule", "status", "demand", "detail"}, ...]}."""
    rules = [{"rule": v.rule, "status": str(v.status), "demand": v.demand, "detail": v.detail} for v in verdicts]
    report = {"address": address, "conforms": conforms(verdicts), "rules": rules}
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
