"""Runs the rules against the AI at an address, one after the other, and collects their verdicts."""

import inspect
from collections.abc import Awaitable, Callable, Sequence

import grpc
from grpc_health.v1 import health_pb2

from ai_conformance.probe import Probe
from ai_conformance.rules import RULES
from ai_conformance.verdict import Finding, Status, Verdict
from service_kit.health_client import health_stub

Rule = Callable[[Probe], Awaitable[Finding]]
REACHABLE = "reachable"


def demand(rule: Rule) -> str:
    """The rule's docstring's first paragraph on one line: what the contract demands."""
    return " ".join((inspect.getdoc(rule) or "").split("\n\n")[0].split())


async def run_kit(
    address: str, deadline: float = 2.0, concurrency: int = 16, rules: Sequence[Rule] = RULES
) -> list[Verdict]:
    """Every rule's verdict, in order; a single FAIL named "reachable" when no gRPC server answers at `address`."""
    async with grpc.aio.insecure_channel(address) as channel:
        probe = Probe(channel, deadline, concurrency)
        unreachable = await _unreachable(probe, address)
        if unreachable:
            return [unreachable]
        return [await _verdict(rule, probe) for rule in rules]


async def _unreachable(probe: Probe, address: str) -> Verdict | None:
    """A FAIL when nothing at `address` speaks gRPC; None when the server is there, healthy or not."""
    health = health_stub(probe.channel)
    try:
        await health.Check(health_pb2.HealthCheckRequest(), timeout=probe.deadline)
        return None
    except grpc.aio.AioRpcError as error:
        connected = probe.channel.get_state() is grpc.ChannelConnectivity.READY
        if connected and error.code() is not grpc.StatusCode.UNAVAILABLE:
            return None
        detail = f"no gRPC server answers at {address}: {error.code().name} ({error.details()})"
    return Verdict(REACHABLE, "MUST serve gRPC at the address given", Status.FAIL, detail)


async def _verdict(rule: Rule, probe: Probe) -> Verdict:
    try:
        finding = await rule(probe)
    except Exception as error:  # noqa: BLE001 - a check that cannot complete fails, and the report says why
        finding = Finding(Status.FAIL, f"the check could not complete: {type(error).__name__}: {error}")
    return Verdict(rule.__name__, demand(rule), finding.status, finding.detail)
