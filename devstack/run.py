"""`python -m devstack`: the whole bridge on this machine, with a demo when it runs against the sandbox."""

import argparse
import signal
import tempfile
from pathlib import Path

from devstack import demo
from devstack.processes import Stack
from devstack.sandbox_client import SandboxClient
from orchestrator.intake_filter import WEBHOOK_EVENTS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--workdir", type=Path, help="where logs and the orchestrator's database go (default: a temp dir)"
    )
    parser.add_argument("--demo-only", action="store_true", help="play the demo, print it, and stop (no serving)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="botbridge-"))
    with Stack(workdir.resolve()) as stack:
        print(f"Logs in {workdir}")
        for service in stack.services.values():
            metrics = f"  (metrics: {service.metrics_url})" if service.metrics_url else ""
            print(f"  {service.name:<15} {service.address}{metrics}")
        print(f"Webhook endpoint: {stack.webhook_url}, for the events {', '.join(WEBHOOK_EVENTS)}")
        if stack.uses_sandbox:
            sandbox = SandboxClient(stack.sandbox_url)
            names = {c["id"]: c["name"] for c in stack.world["categories"]}
            for transcript in demo.play(sandbox):
                print()
                print(demo.render(transcript, names))
            sandbox.close()
        if args.demo_only:
            return 0
        print("\nServing; Ctrl-C to stop.")
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    return 0
