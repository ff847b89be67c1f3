"""End-to-end measurements on a running stack: messages answered per second, latency added per message, AI time."""

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import grpc
import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.customers import QUESTIONS, Customers, Sent
from bench.procstats import CpuMeter
from bench.stats import percentile
from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc

# Watched when a batch is too large to read every thread: the last messages written are answered last.
TAIL = 64
SETTLE_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Batch:
    """Customer messages, measured from the first one written until the last one was answered."""

    messages: int
    unanswered: int
    seconds: float
    cpu_seconds: Mapping[str, float]

    @property
    def rate(self) -> float:
        return (self.messages - self.unanswered) / self.seconds if self.seconds else 0.0

    def cpu_ms_per_message(self, names: Sequence[str]) -> float:
        return sum(self.cpu_seconds[n] for n in names) * 1000 / max(1, self.messages - self.unanswered)


async def measure_batch(
    customers: Customers,
    sandbox: httpx.AsyncClient,
    pids: Mapping[str, int],
    write: Callable[[], Awaitable[list[Sent]]],
    timeout: float,
    read_all: bool = True,
) -> Batch:
    """Runs `write` (customers writing) and measures until the last reply reached the sandbox.

    CPU is counted until the sandbox has delivered every event the replies caused (their content.replied),
    so each message carries its whole cost. `read_all=False` watches only the last messages (large batches)."""
    meter = CpuMeter(pids).start()
    started = time.time()
    sent = await write()
    watched = sent if read_all else sent[-TAIL:]
    answers = await customers.wait_answered(watched, timeout)
    replies = [a.replied_at for a in answers if a.replied_at is not None]
    ended = max(replies, default=time.time())
    await settle(sandbox)
    cpu = meter.stop()
    unanswered = len(answers) - len(replies)
    return Batch(len(sent), unanswered, ended - started, cpu)


async def open_threads(customers: Customers, sandbox: httpx.AsyncClient, count: int, timeout: float) -> list[Sent]:
    """`count` new threads with a first message each, answered and settled before anything is measured in them."""
    opened = await customers.write([None] * count)
    await customers.wait_answered(opened, timeout)
    await settle(sandbox)
    return opened


async def settle(sandbox: httpx.AsyncClient) -> None:
    """Returns once the sandbox has no job (export, close) and no webhook request pending."""
    for path in ("/_sandbox/jobs/wait", "/_sandbox/deliveries/wait"):
        answer = await sandbox.post(path, json={"timeout": SETTLE_TIMEOUT_SECONDS}, timeout=SETTLE_TIMEOUT_SECONDS + 5)
        answer.raise_for_status()


async def paced_latency(
    customers: Customers, threads: int, per_thread: int, rate: float, ai_ms: float, timeout: float
) -> tuple[list[float], int]:
    """Messages at a steady, light rate (`threads` new threads, then follow-ups in them): each one's added latency
    in ms, from the customer's message to the bot's reply reaching the sandbox, less the AI's own time; and how
    many were left unanswered."""
    opened = await customers.write_paced([None] * threads, rate)
    followups = await customers.write_paced([s.thread_id for s in opened] * (per_thread - 1), rate)
    answers = await customers.wait_answered(opened + followups, timeout)
    latencies = [(a.replied_at - a.written_at) * 1000 - ai_ms for a in answers if a.replied_at is not None]
    return latencies, len(answers) - len(latencies)


async def ai_answer_times(address: str, calls: int) -> list[float]:
    """The AI's answer time in ms, called directly one call at a time with FAQ questions (the gRPC hop included)."""
    times = []
    async with grpc.aio.insecure_channel(address) as channel:
        stub = ai_pb2_grpc.AiServiceStub(channel)
        for number in range(calls):
            message = ai_pb2.Message(
                content_id=f"bench-{number}", author=ai_pb2.AUTHOR_CUSTOMER, body=QUESTIONS[number % len(QUESTIONS)]
            )
            request = ai_pb2.RespondRequest(
                conversation=ai_pb2.Conversation(thread_id="bench", source_id="bench", language="en", message=message)
            )
            started = time.perf_counter()
            await stub.Respond(request, timeout=5)
            times.append((time.perf_counter() - started) * 1000)
    return times


async def counter_by(metrics_url: str, counter: str, label: str) -> dict[str, float]:
    """A counter (its name without `_total`) of the service at `metrics_url`, summed by the values of one label."""
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(metrics_url)).text
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples if family.name == counter else ():
            if sample.name.endswith("_total"):
                totals[sample.labels[label]] = totals.get(sample.labels[label], 0.0) + sample.value
    return totals


async def ordering_evidence(metrics_url: str) -> dict[str, float]:
    """The orchestrator's count of queued events by what let them go at once, or `no_evidence` (held)."""
    return await counter_by(metrics_url, "botbridge_ordering_evidence", "evidence")


def p50_p99(samples: Sequence[float]) -> tuple[float, float]:
    return percentile(samples, 50), percentile(samples, 99)
