"""`python -m ai_conformance ADDRESS [--deadline 2.0] [--concurrency 16] [--json]`: exit 0 only if every rule passes
(warnings allowed), 1 otherwise, 2 on a usage error."""

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from ai_conformance.report import conforms, render_json, render_text
from ai_conformance.runner import run_kit

Number = TypeVar("Number", int, float)


def _positive(kind: type[Number]) -> Callable[[str], Number]:
    def parse(text: str) -> Number:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, not {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ai_conformance",
        description="Checks the AI service at ADDRESS against the contract protos/botbridge/ai/v1/ai.proto.",
    )
    parser.add_argument("address", metavar="ADDRESS", help="host:port of the AI service, e.g. localhost:50052")
    parser.add_argument(
        "--deadline",
        type=_positive(float),
        default=2.0,
        help="seconds each call may take (default 2.0; the orchestrator gives AI_DEADLINE_SECONDS, 8 by default)",
    )
    parser.add_argument(
        "--concurrency", type=_positive(int), default=16, help="simultaneous calls in the concurrency rule (16)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    verdicts = asyncio.run(run_kit(arguments.address, arguments.deadline, arguments.concurrency))
    render = render_json if arguments.json else render_text
    sys.stdout.write(render(arguments.address, verdicts))
    return 0 if conforms(verdicts) else 1
