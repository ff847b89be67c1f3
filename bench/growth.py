"""Growth: the cost of a message early on, and again once the store holds a long history over many threads.

On one stack: a window of messages on a few threads (history about 1k messages); then a fill of new threads up to
the history size (e.g. 10k threads, 20k messages); then the same window on the same threads again. Every batch is
written in waves (a bounded number of messages waiting for their reply), so what is measured is the cost of
history, not of a backlog of pending events (see docs/benchmarks.md for that one)."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from bench.customers import Customers, Sent
from bench.end_to_end import Batch, measure_batch, open_threads
from bench.plan import Plan

log = logging.getLogger(__name__)
WAVE = 128  # messages written at once; two waves at most wait for their replies
# Fresh processes are slower at first (connection pools, caches): the early window is measured after a warm-up.
WARM_UP_ROUNDS = 3


@dataclass(frozen=True)
class Growth:
    early: Batch
    fill: Batch
    fill_threads: int
    late: Batch
    history_before_early: int
    history_before_late: int
    threads_before_late: int


async def measure(
    plan: Plan, customers: Customers, sandbox: httpx.AsyncClient, pids: Mapping[str, int], history: int, threads: int
) -> Growth:
    """`history` and `threads`: customer messages and threads the stack has already seen (from earlier runs)."""
    timeout = plan.answer_timeout_seconds
    opened = await open_threads(customers, sandbox, plan.window_threads, timeout)
    history += len(opened)
    threads += len(opened)
    window = [s.thread_id for s in opened] * (plan.window_messages // plan.window_threads)

    async def write_warm_up() -> list[Sent]:
        return await customers.write([s.thread_id for s in opened] * WARM_UP_ROUNDS)

    async def write_window() -> list[Sent]:
        return await customers.write_in_waves(window, WAVE, timeout)

    log.info("growth: warm-up, %d messages on %d threads", WARM_UP_ROUNDS * len(opened), len(opened))
    history += (await measure_batch(customers, sandbox, pids, write_warm_up, timeout)).messages
    early_history = history
    log.info("growth: %d messages on %d threads", len(window), len(opened))
    early = await measure_batch(customers, sandbox, pids, write_window, timeout)
    history += early.messages
    fill_count = max(1, plan.history_messages - history - len(window))
    new_threads = min(plan.wide_threads, fill_count)

    async def write_fill() -> list[Sent]:
        fresh = await customers.write_in_waves([None] * new_threads, WAVE, timeout)
        followups = [fresh[i % new_threads].thread_id for i in range(fill_count - new_threads)]
        return fresh + await customers.write_in_waves(followups, WAVE, timeout)

    log.info("growth: fill, %d messages opening %d threads", fill_count, new_threads)
    fill = await measure_batch(customers, sandbox, pids, write_fill, timeout, read_all=False)
    history += fill.messages
    threads += new_threads
    late_history = history
    log.info("growth: %d messages on the same %d threads", len(window), len(opened))
    late = await measure_batch(customers, sandbox, pids, write_window, timeout)
    return Growth(early, fill, new_threads, late, early_history, late_history, threads)
