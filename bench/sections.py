"""Turns what the run measured into the printed sections, each row beside its target where the issue sets one."""

from dataclasses import dataclass, field

from bench.dimelo_calls import BudgetBurst, Calls
from bench.end_to_end import Batch, p50_p99
from bench.growth import WAVE, Growth
from bench.plan import Plan
from bench.replicas import Comparison
from bench.replicas_section import replicas_section
from bench.report import Section, number, render, verdict

OURS = ("gateway", "orchestrator", "dimelo_adapter", "ai_service")
SANDBOX = "dimelo_sandbox"
E2E_TARGET_PER_SECOND = 500
CPU_TARGET_MS = 4.0  # per answered message, our four services
ADDED_P50_TARGET_MS = 10.0
ADDED_P50_DEFAULT_TARGET_MS = 30.0
CALLS_TARGETS = {"first answer": 2.0, "follow-up answer": 1.05, "handover": 3.0}
BUDGET_PER_MINUTE = 500
IDLE_TARGET_MB = 80.0
READY_TARGET_SECONDS = 1.5
FLAT_GROWTH = 1.15  # late cost within 15 % of the early one counts as not growing


@dataclass
class Findings:
    """Everything one run measured."""

    plan: Plan
    default_window: float
    startup: dict[str, list[float]] = field(default_factory=dict)
    idle_mb: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    ai_ms: list[float] = field(default_factory=list)
    latency_no_window: tuple[list[float], int] = ([], 0)
    latency_default_window: tuple[list[float], int] = ([], 0)
    # Queued events by what let them go at once ("no_evidence": held), during the default-window latency run.
    ordering_evidence: dict[str, float] = field(default_factory=dict)
    growth: Growth | None = None
    batch_default_window: Batch | None = None
    burst_default_window: Batch | None = None
    acknowledgement: Section | None = None
    calls: dict[str, Calls] = field(default_factory=dict)
    budget_burst: BudgetBurst | None = None
    formatting: Section | None = None
    replicas: Comparison | None = None
    framework_floor: Section | None = None
    profile: list[str] = field(default_factory=list)


def render_report(header: list[str], found: Findings) -> str:
    sections = [
        found.acknowledgement,
        _end_to_end(found),
        _footprint(found),
        _growth(found),
        found.formatting,
        _dimelo_calls(found),
        replicas_section(found.replicas) if found.replicas is not None else None,
        found.framework_floor,
    ]
    text = render(header, [s for s in sections if s is not None])
    if found.profile:
        title = "Profile during the growth run (py-spy, 100 Hz): share of samples under each function"
        text += "\n" + "\n".join([title, *found.profile]) + "\n"
    return text


def _end_to_end(found: Findings) -> Section:
    plan, window = found.plan, found.default_window
    section = Section(
        "2. End to end: customer writes in the sandbox -> gateway -> orchestrator -> AI -> adapter -> reply there",
        ["msg/s", "p50 ms", "p99 ms", "CPU ms/msg"],
    )
    if found.growth is not None:
        early = found.growth.early
        section.add(
            f"throughput, window 0: {early.messages:,} msgs on {plan.window_threads} threads",
            number(early.rate),
            "",
            "",
            number(early.cpu_ms_per_message(OURS), 1),
            target="; ".join(
                (
                    verdict(early.rate >= E2E_TARGET_PER_SECOND, f"≥ {E2E_TARGET_PER_SECOND} msg/s"),
                    verdict(early.cpu_ms_per_message(OURS) <= CPU_TARGET_MS, f"CPU ≤ {CPU_TARGET_MS:g} ms/msg"),
                )
            ),
        )
    for label, batch in (
        (f"throughput, window {window:g} s (default)", found.batch_default_window),
        (f"burst (all written at once), window {window:g} s", found.burst_default_window),
    ):
        if batch is not None:
            section.add(
                f"{label}: {batch.messages:,} msgs on {plan.batch_threads} threads",
                number(batch.rate),
                "",
                "",
                number(batch.cpu_ms_per_message(OURS), 1),
            )
    rate = f"{plan.paced_rate:g} msg/s"
    for label, (latencies, lost), goal in (
        (f"added latency at {rate}, window 0", found.latency_no_window, ADDED_P50_TARGET_MS),
        (
            f"added latency at {rate}, window {window:g} s (default)",
            found.latency_default_window,
            ADDED_P50_DEFAULT_TARGET_MS,
        ),
    ):
        p50, p99 = p50_p99(latencies)
        target = verdict(p50 < goal, f"p50 < {goal:g} ms")
        section.add(
            label + (f" ({lost} unanswered)" if lost else ""), "", number(p50, 1), number(p99, 1), "", target=target
        )
    ai_p50, ai_p99 = p50_p99(found.ai_ms)
    section.add("AI answer time, direct calls (p50 subtracted above)", "", number(ai_p50, 2), number(ai_p99, 2), "")
    if found.growth is not None:
        early = found.growth.early
        shares = ", ".join(f"{n} {early.cpu_ms_per_message([n]):.1f}" for n in (*OURS, SANDBOX))
        busy = sum(early.cpu_seconds.values()) / early.seconds if early.seconds else 0.0
        section.notes.append(f"CPU ms per message, window 0 run: {shares}; all processes kept {busy:.2f} cores busy")
    section.notes.append(
        f"throughput rows: written in waves of {WAVE} (at most two waves waiting for their replies) until the last "
        "reply; the burst row: all written at once, so pending events pile up in the orchestrator first"
    )
    section.notes.append(
        "AI: the reference ai_service (FAQ similarity) answering FAQ questions; latency = reply created in the "
        "sandbox - customer message created there - the AI's median time, so it includes the sandbox's webhook send"
    )
    evidence = found.ordering_evidence
    held = evidence.get("no_evidence", 0.0)
    section.notes.append(
        f"the ordering window (ORDERING_WINDOW_SECONDS, default {window:g} s) holds an event only when nothing shows "
        "that the earlier events of its thread are here (orchestrator/ordering.py); in the default-window latency "
        f"run {held:.0f} of {sum(evidence.values()):.0f} queued events were held ("
        + ", ".join(f"{name} {count:.0f}" for name, count in sorted(evidence.items()))
        + ")"
    )
    section.notes.append(
        "real-world ceiling: Dimelo allows 500 REST calls a minute per account, of which the adapter uses 90 %; at 1 "
        "call per follow-up answer (section 6) that is about 450 answered messages a minute"
    )
    return section


def _footprint(found: Findings) -> Section:
    repeats = found.plan.startup_repeats
    section = Section(
        f"3. Footprint (resident memory; start-up alone to SERVING / ready, median of {repeats})",
        ["idle MB", "load MB", "start s"],
    )
    for name in (*OURS, SANDBOX):
        times = sorted(found.startup.get(name, []))
        ready = times[len(times) // 2] if times else float("nan")
        idle = found.idle_mb.get(name, 0.0)
        label = name if name != SANDBOX else f"{name} (Dimelo's stand-in)"
        target = ""
        if name != SANDBOX:
            met = idle < IDLE_TARGET_MB and ready < READY_TARGET_SECONDS
            target = verdict(met, f"< {IDLE_TARGET_MB:g} MB idle, ready < {READY_TARGET_SECONDS:g} s")
        section.add(label, number(idle, 1), number(found.peak_mb.get(name, 0.0), 1), number(ready, 2), target=target)
    section.notes.append("load MB: the highest value sampled during the end-to-end and growth runs")
    section.notes.append("the gateway is ready when its /readyz answers 200, i.e. its orchestrator answers SERVING")
    return section


def _growth(found: Findings) -> Section | None:
    result = found.growth
    if result is None:
        return None
    section = Section(
        "4. Growth: cost per message as the history grows (window 0)",
        ["msg/s", "CPU ms/msg", "sandbox ms"],
    )
    rows = (
        (
            f"{result.history_before_early:,} msgs in store: {result.early.messages:,} msgs on "
            f"{found.plan.window_threads} threads",
            result.early,
        ),
        (f"fill: {result.fill.messages:,} msgs opening {result.fill_threads:,} new threads", result.fill),
        (
            f"{result.history_before_late:,} msgs, {result.threads_before_late:,} threads in store: the same "
            f"{result.late.messages:,} msgs",
            result.late,
        ),
    )
    for label, run in rows:
        section.add(
            label,
            number(run.rate),
            number(run.cpu_ms_per_message(OURS), 2),
            number(run.cpu_ms_per_message([SANDBOX]), 2),
        )
    ratio = result.late.cpu_ms_per_message(OURS) / max(1e-9, result.early.cpu_ms_per_message(OURS))
    section.rows[-1].target = verdict(ratio <= FLAT_GROWTH, f"late/early CPU ×{ratio:.2f}, want ≤ ×{FLAT_GROWTH:g}")
    section.notes.append("CPU ms/msg: gateway + orchestrator + adapter + AI; sandbox ms: Dimelo's stand-in, apart")
    section.notes.append(
        f"every batch is written in waves of {WAVE} (at most two waves waiting for their replies), so the history "
        "grows without a backlog of pending events"
    )
    return section


def _dimelo_calls(found: Findings) -> Section | None:
    if not found.calls and found.budget_burst is None:
        return None
    section = Section(
        f"6. Dimelo REST calls (the account's budget: {BUDGET_PER_MINUTE} a minute)",
        ["msgs", "calls/msg", "429s", "s", "calls/min"],
    )
    for label, calls in found.calls.items():
        goal = CALLS_TARGETS[label]
        lost = f" ({calls.unanswered} unanswered)" if calls.unanswered else ""
        section.add(
            f"per {label}{lost}",
            number(calls.messages),
            number(calls.per_message, 2),
            target=verdict(calls.per_message <= goal, f"≤ {goal:g}"),
        )
        section.notes.append(f"{label}, calls per message: {calls.profile()}")
    burst = found.budget_burst
    if burst is not None:
        scale = burst.window_seconds / 60
        met = burst.refused_429 == 0 and burst.unanswered == 0
        section.add(
            f"burst at once, budget {BUDGET_PER_MINUTE}/min, clocks ×{scale:g}"
            + (f" ({burst.unanswered} unanswered)" if burst.unanswered else ""),
            number(burst.messages),
            number(burst.calls / max(1, burst.messages), 2),
            number(burst.refused_429),
            number(burst.seconds, 1),
            number(burst.calls_per_window),
            target=verdict(met, "0 × 429, all answered"),
        )
        section.notes.append(
            f"burst: the sandbox's rate limit ({BUDGET_PER_MINUTE} per minute) and the adapter's budget both run on a "
            f"clock ×{scale:g} (a minute lasts {burst.window_seconds:g} s) so that the burst takes seconds; calls/min "
            "is per such minute: the adapter keeps 90 % of the budget as its sustained pace (docs: dimelo_adapter)"
        )
    section.notes.append("calls: as the sandbox counted them, from a settled stack until the replies and their echoes")
    return section
