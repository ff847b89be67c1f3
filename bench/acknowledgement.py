"""Webhook acknowledgement: our gateway beside two baselines served the same way, loaded the same way.

1. bare FastAPI: parse the delivery's JSON, answer 200;
2. FastAPI + one grpc.aio unary call (the body to a server that answers at once);
3. the gateway: secret check, parse into typed events, SubmitDelivery to the orchestrator, which commits the events
   to SQLite (WAL, synchronous=FULL) before answering: the durable intake.
"""

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bench.delivery import write_template
from bench.http_load import LoadResult, WebhookTarget
from bench.launcher import serving_baselines
from bench.plan import Plan
from bench.report import Section, number, verdict

Load = Callable[[WebhookTarget, int, float, str], Awaitable[LoadResult]]
BARE, ONE_HOP, GATEWAY = "bare FastAPI (parse, 200)", "FastAPI + 1 grpc.aio call", "gateway (durable intake)"
RATIO_TARGET = 0.70
P99_TARGET_MS = 40.0  # issue #14's target (issue #5 asked for 50)


@dataclass
class Combined:
    """Load results of several rounds on one target at one concurrency."""

    results: list[LoadResult]

    @property
    def rate(self) -> float:
        return sum(r.requests for r in self.results) / sum(r.seconds for r in self.results)

    @property
    def p50_ms(self) -> float:
        return sum(r.p50_ms for r in self.results) / len(self.results)

    @property
    def p99_ms(self) -> float:
        return max(r.p99_ms for r in self.results)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.results)


async def measure(plan: Plan, load: Load, webhook_url: str, secret: str, workdir: Path) -> Section:
    """Starts the baselines beside the running stack and loads the three endpoints in turn at each concurrency."""
    template = write_template(workdir / "delivery.json")
    async with serving_baselines(workdir) as baselines:
        targets = {
            BARE: WebhookTarget(baselines.bare.url, template, secret),
            ONE_HOP: WebhookTarget(baselines.one_hop.url, template, secret),
            GATEWAY: WebhookTarget(webhook_url, template, secret),
        }
        return await _compare(plan, load, targets)


async def _compare(plan: Plan, load: Load, targets: dict[str, WebhookTarget]) -> Section:
    run = secrets.token_hex(4)  # ids stay unique across runs on the same store
    section = Section(
        f"1. Webhook acknowledgement ({plan.ack_seconds} s per run, {plan.ack_rounds} round(s), closed loop)",
        ["req/s", "p50 ms", "p99 ms", "non-200"],
    )
    for connections in plan.ack_concurrency:
        measured = {name: Combined([]) for name in targets}
        for index, target in enumerate(targets.values()):
            if plan.ack_warmup_seconds:
                await load(target, connections, plan.ack_warmup_seconds, f"{run}-warm-{connections}-{index}")
        for round_number in range(plan.ack_rounds):
            for index, (name, target) in enumerate(targets.items()):
                tag = f"{run}-{connections}-{round_number}-{index}"
                measured[name].results.append(await load(target, connections, plan.ack_seconds, tag))
        baseline = measured[ONE_HOP].rate
        for name, combined in measured.items():
            cells = [
                number(combined.rate),
                number(combined.p50_ms, 2),
                number(combined.p99_ms, 2),
                str(combined.errors),
            ]
            section.add(f"c={connections:<3} {name}", *cells, target=_target(name, connections, combined, baseline))
    section.notes.append(
        "each request carries the seed guide's delivery with fresh ids; its content is marked as written by a "
        "user, so the orchestrator stores it durably and has nothing more to do (the end-to-end rows below do it all)"
    )
    return section


def _target(name: str, connections: int, combined: Combined, baseline_rate: float) -> str:
    if name != GATEWAY:
        return ""
    ratio = combined.rate / baseline_rate if baseline_rate else 0.0
    goals = [verdict(ratio >= RATIO_TARGET, f"{ratio:.0%} of FastAPI+gRPC, want ≥ {RATIO_TARGET:.0%}")]
    if connections >= 64:
        goals.append(verdict(combined.p99_ms < P99_TARGET_MS, f"p99 < {P99_TARGET_MS:g} ms"))
    return "; ".join(goals)
