"""`python -m bench.acknowledgement_alone [--smoke] [--python-load]`: section 1 of `make bench` (the webhook
acknowledgement beside its two baselines) alone, on a stack of its own set up as the full run's, in ~1 minute."""

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

from bench import acknowledgement, tools
from bench.http_load import run_asyncio, run_wrk
from bench.plan import FULL, SMOKE
from bench.report import render
from bench.run import STACK_ENV, header
from devstack.processes import Stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that every row is produced")
    parser.add_argument("--python-load", action="store_true", help="load HTTP with the asyncio generator, not wrk")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    plan = SMOKE if args.smoke else FULL
    if not args.smoke:
        tools.install_missing(profiler=False)
    use_wrk = tools.wrk_available() and not args.python_load
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="botbridge-bench-ack-") as folder,
        Stack(Path(folder), env=STACK_ENV) as stack,
    ):
        section = asyncio.run(
            acknowledgement.measure(
                plan, run_wrk if use_wrk else run_asyncio, stack.webhook_url, stack.webhook_secret, Path(folder)
            )
        )
    print(render(header(plan, use_wrk, time.monotonic() - started), [section]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
