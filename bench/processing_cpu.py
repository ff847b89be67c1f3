"""`python -m bench.processing_cpu [--smoke]`: the CPU each service spends per answered follow-up, on a stack with
ORDERING_WINDOW_SECONDS=0 set up as `make bench`'s (about a minute): follow-ups one at a time (each answered and
settled before the next: nothing shares a commit or a wake-up), then in waves of 128 over 100 threads (section 4's
pattern). For comparing a change to processing back to back; `make bench` prints the full picture."""

import argparse
import asyncio
import logging
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import httpx

from bench.customers import Customers, Sent
from bench.end_to_end import Batch, measure_batch, open_threads
from bench.growth import WAVE
from bench.run import STACK_ENV
from devstack.processes import Stack

OURS = ("gateway", "orchestrator", "dimelo_adapter", "ai_service")
TIMEOUT_SECONDS = 120.0


async def measure(stack: Stack, threads: int, alone: int, in_waves: int) -> dict[str, Batch]:
    pids = {name: service.process.pid for name, service in stack.services.items()}
    async with httpx.AsyncClient(base_url=stack.sandbox_url, timeout=30) as sandbox:
        customers = Customers(sandbox)
        opened = [s.thread_id for s in await open_threads(customers, sandbox, threads, TIMEOUT_SECONDS)]

        async def one_at_a_time() -> list[Sent]:
            sent: list[Sent] = []
            for index in range(alone):
                sent += await customers.write([opened[index % threads]])
                await customers.wait_answered(sent[-1:], TIMEOUT_SECONDS)
            return sent

        async def waves() -> list[Sent]:
            return await customers.write_in_waves((opened * in_waves)[:in_waves], WAVE, TIMEOUT_SECONDS)

        return {
            "one at a time": await measure_batch(customers, sandbox, pids, one_at_a_time, TIMEOUT_SECONDS),
            f"waves of {WAVE}": await measure_batch(customers, sandbox, pids, waves, TIMEOUT_SECONDS),
        }


def render(batches: Mapping[str, Batch]) -> str:
    lines = [f"{'follow-ups':<16}{'msgs':>6}{'msg/s':>8}  CPU ms per answered message: " + ", ".join(OURS) + ", all"]
    for label, batch in batches.items():
        shares = [batch.cpu_ms_per_message([name]) for name in OURS]
        figures = "  ".join(f"{share:6.2f}" for share in [*shares, batch.cpu_ms_per_message(OURS)])
        lines.append(f"{label:<16}{batch.messages:>6}{batch.rate:>8.1f}  {figures}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    threads, alone, in_waves = (4, 4, 12) if args.smoke else (100, 100, 500)
    with (
        tempfile.TemporaryDirectory(prefix="botbridge-bench-cpu-") as folder,
        Stack(Path(folder), env={**STACK_ENV, "ORDERING_WINDOW_SECONDS": "0"}) as stack,
    ):
        batches = asyncio.run(measure(stack, threads, alone, in_waves))
    print(render(batches))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
