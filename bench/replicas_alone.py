"""`python -m bench.replicas_alone [--smoke]`: section 7 of `make bench` (one orchestrator replica against two on
PostgreSQL, the same load) alone, on its two stacks set up as the full run's, in under a minute."""

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

from bench import replicas
from bench.plan import FULL, SMOKE
from bench.replicas_section import replicas_section
from bench.report import render
from bench.run import STACK_ENV, header


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks that every row is produced")
    parser.add_argument("--postgres-url", default=replicas.SERVER_URL, help="the PostgreSQL server (a database on it)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    plan = SMOKE if args.smoke else FULL
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="botbridge-bench-replicas-") as folder:
        found = asyncio.run(replicas.measure(plan, Path(folder), STACK_ENV, args.postgres_url))
    print(render(header(plan, False, time.monotonic() - started)[:2], [replicas_section(found)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
