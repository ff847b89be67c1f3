"""The bench `python -m bench [--smoke] [--profile]` runs: measures the bridge on this machine and prints one table.

Every comparison is measured in the same run. Figures only: no target here fails the command (see
docs/benchmarks.md for a recorded run and what limits us)."""

import argparse
import asyncio
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import acknowledgement, dimelo_calls, formatting, framework_floor, growth, replicas, tools
from bench.acknowledgement import Load
from bench.customers import Customers, Sent
from bench.end_to_end import ai_answer_times, measure_batch, open_threads, ordering_evidence, paced_latency
from bench.growth import WAVE
from bench.http_load import run_asyncio, run_wrk
from bench.plan import FULL, SMOKE, Plan
from bench.procstats import peak_rss, rss_mb
from bench.profiler import Profiler
from bench.sections import Findings, render_report
from bench.startup import startup_seconds
from bench.stats import percentile
from devstack.processes import Stack
from orchestrator.settings import Settings as OrchestratorSettings

log = logging.getLogger("bench")
# The sandbox's rate limit is Dimelo's (500 calls a minute): far below these rates, so it is off, and so is the
# adapter's call budget (the budget has its own stack, section 5).
STACK_ENV = {"SANDBOX_RATE_LIMIT": "0", "DIMELO_CALL_BUDGET": "1000000"}
DEFAULT_WINDOW_SECONDS = OrchestratorSettings.model_fields["ordering_window_seconds"].default


async def measure(plan: Plan, use_wrk: bool, profile: bool, workdir: Path) -> Findings:
    found = Findings(plan=plan, default_window=DEFAULT_WINDOW_SECONDS)
    log.info("plain-text property test: %d generated answers", plan.formatting_examples)
    found.formatting = await asyncio.to_thread(formatting.measure, plan.formatting_examples)
    log.info("start-up times (%d launch(es) per service)", plan.startup_repeats)
    found.startup = await startup_seconds(workdir / "startup", plan.startup_repeats)
    log.info("the frameworks' floor: %d calls of each kind at each concurrency", plan.floor_calls)
    (workdir / "floor").mkdir()
    found.framework_floor = await framework_floor.measure(plan, workdir / "floor")
    log.info("stack with ORDERING_WINDOW_SECONDS=0: latency, throughput, growth")
    with Stack(workdir / "stack-window-0", env={**STACK_ENV, "ORDERING_WINDOW_SECONDS": "0"}) as stack:
        await _without_ordering_window(plan, stack, profile, workdir, found)
    log.info(
        "stack with the default ordering window (%g s): acknowledgement, latency, throughput", DEFAULT_WINDOW_SECONDS
    )
    with Stack(workdir / "stack-window-default", env=STACK_ENV) as stack:
        await _with_default_window(plan, stack, run_wrk if use_wrk else run_asyncio, workdir, found)
    window = 60 * plan.budget_time_scale
    log.info("stack with the sandbox's rate limit and the call budget, clocks ×%g: a burst", plan.budget_time_scale)
    budget = {"SANDBOX_TIME_SCALE": str(plan.budget_time_scale), "DIMELO_CALL_BUDGET_SECONDS": str(window)}
    with Stack(workdir / "stack-budget", env=budget) as stack:
        async with httpx.AsyncClient(base_url=stack.sandbox_url, timeout=30) as sandbox:
            found.budget_burst = await dimelo_calls.budget_burst(
                Customers(sandbox),
                sandbox,
                plan.budget_threads,
                plan.budget_per_thread,
                window,
                plan.answer_timeout_seconds,
            )
    log.info("two stacks on PostgreSQL, one with one orchestrator replica, one with two: the same load")
    found.replicas = await replicas.measure(plan, workdir / "replicas", STACK_ENV)
    return found


async def _without_ordering_window(plan: Plan, stack: Stack, profile: bool, workdir: Path, found: Findings) -> None:
    """Memory idle and under load, the AI's own time, latency at a light rate, and the growth run."""
    pids = {name: service.process.pid for name, service in stack.services.items()}
    found.idle_mb = {name: rss_mb(pid) for name, pid in pids.items()}
    found.ai_ms = await ai_answer_times(stack.services["ai_service"].address, plan.ai_calls)
    async with httpx.AsyncClient(base_url=stack.sandbox_url, timeout=30) as sandbox, peak_rss(pids, found.peak_mb):
        customers = Customers(sandbox)
        found.latency_no_window = await _paced(plan, customers, percentile(found.ai_ms, 50))
        history, threads = plan.paced_threads * plan.paced_per_thread, plan.paced_threads
        log.info("growth: up to %d messages, %d threads", plan.history_messages, plan.wide_threads)
        if not profile:
            found.growth = await growth.measure(plan, customers, sandbox, pids, history, threads)
            return
        async with Profiler(tools.PY_SPY, pids, workdir) as profiler:
            found.growth = await growth.measure(plan, customers, sandbox, pids, history, threads)
        found.profile = profiler.summary()


async def _with_default_window(plan: Plan, stack: Stack, load: Load, workdir: Path, found: Findings) -> None:
    """The acknowledgement comparison, then latency and throughput as the bridge ships (ordering window on)."""
    pids = {name: service.process.pid for name, service in stack.services.items()}
    found.acknowledgement = await acknowledgement.measure(plan, load, stack.webhook_url, stack.webhook_secret, workdir)
    timeout = plan.answer_timeout_seconds
    async with httpx.AsyncClient(base_url=stack.sandbox_url, timeout=30) as sandbox:
        customers = Customers(sandbox)
        found.latency_default_window = await _paced(plan, customers, percentile(found.ai_ms, 50))
        found.ordering_evidence = await ordering_evidence(stack.services["orchestrator"].metrics_url)
        opened = await open_threads(customers, sandbox, plan.batch_threads, timeout)
        messages = [s.thread_id for s in opened] * (plan.batch_messages // plan.batch_threads)

        async def in_waves() -> list[Sent]:
            return await customers.write_in_waves(messages, WAVE, timeout)

        async def all_at_once() -> list[Sent]:
            return await customers.write(messages)

        found.batch_default_window = await measure_batch(customers, sandbox, pids, in_waves, timeout)
        found.burst_default_window = await measure_batch(customers, sandbox, pids, all_at_once, timeout)
        found.calls = await dimelo_calls.per_answer(customers, sandbox, plan.calls_threads, timeout)


async def _paced(plan: Plan, customers: Customers, ai_ms: float) -> tuple[list[float], int]:
    return await paced_latency(
        customers, plan.paced_threads, plan.paced_per_thread, plan.paced_rate, ai_ms, plan.answer_timeout_seconds
    )


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 1024 / 1024:.1f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def header(plan: Plan, use_wrk: bool, seconds: float) -> list[str]:
    http_load = (
        f"{tools.wrk_version()} (1 thread) for HTTP"
        if use_wrk
        else "a Python asyncio generator for HTTP (no wrk: slower than wrk, and it shares the CPU)"
    )
    return [
        f"botbridge benchmark, {plan.name} run, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {seconds:.0f} s",
        f"machine: {machine()}",
        f"load: {http_load}; an asyncio driver of the sandbox's control API for conversations",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that every row is produced (seconds)")
    parser.add_argument("--profile", action="store_true", help="also sample each service with py-spy during growth")
    parser.add_argument("--python-load", action="store_true", help="load HTTP with the asyncio generator, not wrk")
    parser.add_argument("--workdir", type=Path, help="keep the services' logs and profiles here (default: a temp dir)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    plan = SMOKE if args.smoke else FULL
    if not args.smoke or args.profile:
        tools.install_missing(profiler=args.profile)
    if args.profile and not tools.PY_SPY.exists():
        parser.error(f"--profile needs py-spy at {tools.PY_SPY}; bench/setup.sh --profiler installs it")
    use_wrk = tools.wrk_available() and not args.python_load
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="botbridge-bench-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        found = asyncio.run(measure(plan, use_wrk, args.profile, workdir))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(render_report(header(plan, use_wrk, time.monotonic() - started), found))
    return 0
