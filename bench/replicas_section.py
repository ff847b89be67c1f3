"""Section 7 as printed: one orchestrator replica against two on PostgreSQL, the ratio beside its target, the CPU
each process took per message, and what bound each run."""

from bench.growth import WAVE
from bench.replicas import DRIVER, Comparison, Configuration
from bench.report import Section, number, verdict

RATIO_TARGET = 1.6
# A process busy this share of one core, or the machine this share of all its cores, is taken as the bound.
SATURATED = 0.9
SHARED = 0.2  # cores kept busy by processes outside the stack: the machine was not quiet
OURS = ("gateway", "orchestrator", "orchestrator-2", "dimelo_adapter", "ai_service")


def replicas_section(found: Comparison) -> Section:
    section = Section(
        "7. Two orchestrator replicas on PostgreSQL: the same load with 1 and with 2, rounds alternated",
        ["msg/s", "ours ms/msg", "all ms/msg", "cores busy", "once, in order"],
    )
    if found.unmeasured:
        section.notes.append(f"not measured: {found.unmeasured} (BENCH_POSTGRES_URL names the server)")
        return section
    one, two = found.one, found.two
    ratio = two.rate / one.rate if one.rate else 0.0
    for measured in (one, two):
        lost = f" ({measured.unanswered} unanswered)" if measured.unanswered else ""
        effects = measured.effects
        section.add(
            f"{_replicas(measured)}: {measured.messages:,} msgs on {found.threads} threads{lost}",
            number(measured.rate),
            number(measured.cpu_ms_per_message(OURS), 1),
            number(measured.cpu_ms_per_message(measured.processes), 1),
            number(measured.machine_cores, 2),
            "kept" if effects is not None and effects.kept else "BROKEN",
        )
    kept = all(m.effects is not None and m.effects.kept for m in (one, two))
    floor = _cap(two, found.cores)[0] / max(1e-9, _cap(one, found.cores)[0])
    section.rows[-1].target = verdict(
        ratio >= RATIO_TARGET and kept,
        f"×{ratio:.2f} of 1 replica (CPU floor ×{floor:.2f}), want ≥ ×{RATIO_TARGET:g}, once and in order",
    )
    for measured in (one, two):
        shares = ", ".join(
            f"{name} {measured.cpu_ms_per_message([name]):.1f} ({measured.cores(name):.2f})"
            for name in measured.processes
        )
        section.notes.append(f"{_replicas(measured)}, CPU ms per message (cores kept busy): {shares}")
    section.notes.extend(_floor(found, ratio))
    section.notes.append(faults_note(one, two))
    others = [m.machine_cores - _stack_cores(m) for m in (one, two)]
    if max(others) > SHARED:
        section.notes.append(
            f"the machine was shared: other processes kept {others[0]:.2f} (1 replica) and {others[1]:.2f} (2 "
            "replicas) cores busy; the scheduler shares the cores between runnable threads, so under contention the "
            "stack with more processes gets more of them: the ratio is the bridge's own only on a quiet machine"
        )
    for measured in (one, two):
        if measured.effects is not None and not measured.effects.kept:
            section.notes.append(f"{_replicas(measured)}: {measured.effects.summary()}")
    checked = two.effects.messages if two.effects is not None else 0
    section.notes.append(
        f"once, in order: from the sandbox's transcripts of every message each stack was sent ({checked:,} with 2 "
        "replicas, warm-up included): one bot reply per message, each thread's replies in the order of its "
        "messages in Dimelo, one intervention per thread"
    )
    section.notes.append(
        f"each round: written in waves of {WAVE} (at most two waiting for their replies) in threads opened and "
        "warmed up before; msg/s from the first write to the last reply; CPU until the sandbox settled. ours: "
        "gateway, orchestrator(s), adapter, AI; all: also the sandbox, the PostgreSQL backends of the stack's own "
        f"database and the {DRIVER} (this process); cores busy: the whole machine, other sessions included "
        f"(1-minute load average {found.load_average})"
    )
    return section


def _floor(found: Comparison, ratio: float) -> list[str]:
    """What bound each run as measured, by how much the ratio misses, and the most the CPU per message allows."""
    one, two = found.one, found.two
    measured = f"bound while measured: 1 replica: {_bound(one, found.cores)}; 2 replicas: {_bound(two, found.cores)}"
    if ratio < RATIO_TARGET:
        measured += (
            f"; ×{RATIO_TARGET:g} missed by {(RATIO_TARGET - ratio) / RATIO_TARGET:.0%} "
            f"({RATIO_TARGET * one.rate:,.0f} msg/s wanted, {two.rate:,.0f} measured)"
        )
    (cap_one, why_one), (cap_two, why_two) = _cap(one, found.cores), _cap(two, found.cores)
    ceiling = (
        f"floor from the CPU each message took, as if the machine were the stack's alone: 1 replica at most "
        f"{cap_one:,.0f} msg/s ({why_one}), 2 replicas at most {cap_two:,.0f} ({why_two}): "
        f"×{cap_two / cap_one if cap_one else 0:.2f}"
    )
    return [measured, ceiling]


def faults_note(one: Configuration, two: Configuration) -> str:
    """The faults of each stack while measured: a stall's cause, when a rate reads low with the cores idle."""
    said = []
    for measured in (one, two):
        faults = measured.faults
        said.append(
            f"{_replicas(measured)}: {faults.no_answer} Dimelo request(s) with no answer (a reply's is looked for "
            f"until it can no longer land before it is posted again), {faults.refused} webhook request(s) refused"
            if faults.no_answer or faults.refused
            else f"{_replicas(measured)}: none"
        )
    return "faults while measured (nothing lost, but each holds its thread for seconds): " + "; ".join(said)


def _cap(measured: Configuration, cores: int) -> tuple[float, str]:
    """The most msg/s the CPU per message allows: every process together on `cores`, each alone on one core."""
    all_ms = measured.cpu_ms_per_message(measured.processes)
    if not all_ms:
        return 0.0, "nothing measured"
    caps = {f"the cores: {cores} × 1000 / {all_ms:.1f} ms, all processes": cores * 1000 / all_ms}
    for name in measured.processes:
        if (ms := measured.cpu_ms_per_message([name])) > 0:
            caps[f"{name} on its one core: 1000 / {ms:.1f} ms"] = 1000 / ms
    binding = min(caps, key=lambda why: caps[why])
    return caps[binding], binding


def _bound(measured: Configuration, cores: int) -> str:
    busiest = max(measured.processes, key=measured.cores, default="")
    busy = measured.cores(busiest)
    ours = _stack_cores(measured)
    if measured.machine_cores >= SATURATED * cores:
        return (
            f"the cores ({measured.machine_cores:.2f} of {cores} busy, {ours:.2f} by this stack; busiest {busiest} "
            f"{busy:.2f})"
        )
    if busy >= SATURATED:
        return f"{busiest}, one process on one core ({busy:.2f} busy)"
    return (
        f"no core and no process saturated ({measured.machine_cores:.2f} of {cores} cores busy, busiest {busiest} "
        f"{busy:.2f}): waits, not CPU"
    )


def _stack_cores(measured: Configuration) -> float:
    return sum(measured.cores(name) for name in measured.processes)


def _replicas(measured: Configuration) -> str:
    return f"{measured.replicas} replica{'s' if measured.replicas > 1 else ''}"
