"""Section 7: the same end-to-end load answered by one orchestrator replica and by two, both on PostgreSQL.

Two stacks run side by side, each on a fresh database of the same server, each with one sandbox, gateway, adapter
and AI: one with one orchestrator, one with two (`ORCHESTRATOR_REPLICA_ID` orchestrator and orchestrator-2, each
with its own metrics port; the gateway balances deliveries between them). Their rounds alternate (1, 2, 1, 2, ...)
so that other load on the machine falls on both alike, and only one stack is busy at a time. A round: customers
write in waves in threads opened and warmed up beforehand, measured from the first write to the last reply, with
the CPU of every process, of the PostgreSQL backends serving that stack and of the whole machine. At the end the
sandbox's transcripts say whether every message was answered exactly once, each thread's replies in order."""

import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.customers import Customers, Sent
from bench.effects import Effects, check
from bench.end_to_end import Batch, counter_by, measure_batch, open_threads
from bench.growth import WAVE
from bench.plan import Plan
from bench.postgres_database import Backends, fresh_database, server_answers
from bench.procstats import cpu_seconds, machine_busy_seconds
from devstack.processes import Stack

log = logging.getLogger(__name__)
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
POSTGRES = "postgresql"  # the backends serving the stack's database
DRIVER = "bench driver"  # this process: the customers' writes, the replies' polling


# The adapter's `status` of a Dimelo request that got no answer (dimelo_adapter/metrics.py).
NO_ANSWER = ("timeout", "network_error")


@dataclass(frozen=True)
class Faults:
    """What went wrong while a round ran, though nothing was lost: each costs the threads it hits seconds."""

    no_answer: int = 0  # Dimelo requests that got no answer (a reply's is looked for before it is posted again)
    refused: int = 0  # webhook requests the gateway did not answer 200 (Dimelo sends them again later)

    def __add__(self, other: "Faults") -> "Faults":
        return Faults(self.no_answer + other.no_answer, self.refused + other.refused)

    def __sub__(self, other: "Faults") -> "Faults":
        return Faults(self.no_answer - other.no_answer, self.refused - other.refused)


@dataclass(frozen=True)
class Round:
    # Its CPU seconds by process, POSTGRES and DRIVER included, counted until the sandbox settled.
    batch: Batch
    wall_seconds: float  # the span the CPU was counted over: first write until the sandbox settled
    machine_seconds: float  # busy CPU of every core over that span, whatever ran on the machine
    faults: Faults = Faults()


@dataclass
class Configuration:
    """What the rounds of one stack measured, added up."""

    replicas: int
    rounds: list[Round] = field(default_factory=list)
    effects: Effects | None = None

    @property
    def messages(self) -> int:
        return sum(r.batch.messages for r in self.rounds)

    @property
    def unanswered(self) -> int:
        return sum(r.batch.unanswered for r in self.rounds)

    @property
    def rate(self) -> float:
        seconds = sum(r.batch.seconds for r in self.rounds)
        return (self.messages - self.unanswered) / seconds if seconds else 0.0

    @property
    def processes(self) -> list[str]:
        return list(self.rounds[0].batch.cpu_seconds) if self.rounds else []

    def cpu_ms_per_message(self, names: Sequence[str]) -> float:
        used = sum(r.batch.cpu_seconds.get(n, 0.0) for r in self.rounds for n in names)
        return used * 1000 / max(1, self.messages - self.unanswered)

    def cores(self, name: str) -> float:
        """The share of one core the process kept busy while the rounds ran."""
        wall = sum(r.wall_seconds for r in self.rounds)
        return sum(r.batch.cpu_seconds.get(name, 0.0) for r in self.rounds) / wall if wall else 0.0

    @property
    def machine_cores(self) -> float:
        wall = sum(r.wall_seconds for r in self.rounds)
        return sum(r.machine_seconds for r in self.rounds) / wall if wall else 0.0

    @property
    def faults(self) -> Faults:
        return sum((r.faults for r in self.rounds), Faults())


@dataclass(frozen=True)
class Comparison:
    one: Configuration
    two: Configuration
    threads: int
    cores: int
    load_average: str  # the machine's 1-minute load average before and after, as `uptime` gives it
    unmeasured: str = ""  # why nothing was measured (no PostgreSQL server)


class _Side:
    """One stack, its customers, its threads, and everything they wrote."""

    def __init__(self, stack: Stack, sandbox: httpx.AsyncClient, backends: Backends, replicas: int) -> None:
        self.stack, self.sandbox, self.backends = stack, sandbox, backends
        self.customers = Customers(sandbox)
        self.measured = Configuration(replicas)
        self.threads: list[str] = []
        self.sent: list[Sent] = []

    async def warm_up(self, threads: int, timeout: float) -> None:
        """Opens the threads, then one message more in each, answered and settled (pools and caches filled)."""
        opened = await open_threads(self.customers, self.sandbox, threads, timeout)
        self.threads = [s.thread_id for s in opened]
        self.sent += opened
        self.sent += await self._written_and_answered(self.threads, timeout)

    async def measure_round(self, messages: int, timeout: float) -> None:
        thread_ids = self.threads * max(1, messages // len(self.threads))

        async def write() -> list[Sent]:
            sent = await self.customers.write_in_waves(thread_ids, WAVE, timeout)
            self.sent += sent
            return sent

        pids = {name: service.process.pid for name, service in self.stack.services.items()}
        faults = await self._faults()
        self.backends.start()
        driver, machine, started = cpu_seconds(os.getpid()), machine_busy_seconds(), time.monotonic()
        batch = await measure_batch(self.customers, self.sandbox, pids, write, timeout)
        wall, machine = time.monotonic() - started, machine_busy_seconds() - machine
        cpu = {**batch.cpu_seconds, POSTGRES: self.backends.stop(), DRIVER: cpu_seconds(os.getpid()) - driver}
        batch = dataclasses.replace(batch, cpu_seconds=cpu)
        self.measured.rounds.append(Round(batch, wall, machine, await self._faults() - faults))

    async def _faults(self) -> Faults:
        """The faults counted so far: by the adapter (its metrics) and by the sandbox's webhook (its stats)."""
        statuses = await counter_by(
            self.stack.services["dimelo_adapter"].metrics_url, "botbridge_dimelo_requests", "status"
        )
        deliveries = (await self.sandbox.get("/_sandbox/stats")).json()["deliveries_by_outcome"]
        return Faults(int(sum(statuses.get(status, 0) for status in NO_ANSWER)), deliveries.get("failed", 0))

    async def _written_and_answered(self, thread_ids: list[str], timeout: float) -> list[Sent]:
        sent = await self.customers.write(thread_ids)
        await self.customers.wait_answered(sent, timeout)
        return sent


async def measure(plan: Plan, workdir: Path, env: Mapping[str, str], server_url: str = SERVER_URL) -> Comparison:
    """One stack with one orchestrator and one with two, `env` for every service of both."""
    load_before = _load_average()
    if unreachable := server_answers(server_url):
        return Comparison(Configuration(1), Configuration(2), 0, os.cpu_count() or 1, load_before, unreachable)
    async with contextlib.AsyncExitStack() as resources:
        sides = []
        for replicas in (1, 2):
            url, backends = resources.enter_context(fresh_database(server_url))
            settings = {**env, "ORCHESTRATOR_DATABASE_URL": url}
            log.info("replicas: a stack with %d orchestrator replica(s) on PostgreSQL", replicas)
            stack = resources.enter_context(
                Stack(workdir / f"replicas-{replicas}", env=settings, orchestrator_replicas=replicas)
            )
            sandbox = await resources.enter_async_context(httpx.AsyncClient(base_url=stack.sandbox_url, timeout=30))
            sides.append(_Side(stack, sandbox, backends, replicas))
        timeout = plan.answer_timeout_seconds
        for side in sides:
            await side.warm_up(plan.replicas_threads, timeout)
        for number in range(plan.replicas_rounds):
            for side in sides:
                log.info("replicas: round %d, %d replica(s)", number + 1, side.measured.replicas)
                await side.measure_round(plan.replicas_messages, timeout)
        for side in sides:
            side.measured.effects = await check(side.customers, side.sent)
    one, two = (side.measured for side in sides)
    load = f"{load_before} before, {_load_average()} after"
    return Comparison(one, two, plan.replicas_threads, os.cpu_count() or 1, load)


def _load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]
