"""Supervised loops: a store error is survived (counted, backed off, then on); any other error fails the process."""

import asyncio
import sqlite3

from prometheus_client import REGISTRY

from orchestrator.supervision import Supervisor


def errors(loop: str, result: str) -> float:
    return REGISTRY.get_sample_value("botbridge_loop_errors_total", {"loop": loop, "result": result}) or 0.0


async def test_a_loop_survives_store_errors_and_goes_on():
    """In: an iteration failing twice with a locked database, then working. Out: the loop went on (3 more turns),
    two survived errors counted, and the process is not failed."""
    outcomes = [sqlite3.OperationalError("database is locked")] * 2
    turns = []
    done = asyncio.Event()

    async def iteration() -> bool:
        if outcomes:
            raise outcomes.pop(0)
        turns.append(1)
        if len(turns) == 3:
            done.set()
            return False
        return True

    before = errors("test-survives", "survived")
    supervisor = Supervisor()
    supervisor.run("test-survives", iteration)
    await asyncio.wait_for(done.wait(), 5)
    await supervisor.wait("test-survives")

    assert len(turns) == 3 and errors("test-survives", "survived") - before == 2
    assert not supervisor.failed.is_set()


async def test_an_error_a_loop_cannot_survive_fails_the_process():
    """In: an iteration raising a programming error. Out: the loop ends, `failed` is set with the loop's name and
    the error, and the fatal error is counted."""

    async def iteration() -> bool:
        raise KeyError("thread-1")

    supervisor = Supervisor()
    supervisor.run("test-fatal", iteration)
    await asyncio.wait_for(supervisor.failed.wait(), 5)

    assert not supervisor.alive("test-fatal")
    assert supervisor.failure == "test-fatal: KeyError: 'thread-1'"
    assert errors("test-fatal", "fatal") == 1
