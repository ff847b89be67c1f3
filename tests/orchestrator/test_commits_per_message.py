"""How many store commits processing one customer message takes, path by path (issue #14: one commit per step)."""

import sys

import pytest

from botbridge.ai.v1 import ai_pb2
from orchestrator.database import Database
from tests.orchestrator.conftest import customer_message, settled
from tests.support.eventually import eventually

# Writes that are not a message's processing: the intake, the lease renewals and the readiness probe.
_NOT_PROCESSING = {"accept", "renew_leases", "probe_write"}
# The adapter's methods that change something in Dimelo: each must follow a commit proving the lease.
_EFFECTS = (
    "OpenIntervention",
    "CreateReply",
    "CreateInterventionComment",
    "CloseIntervention",
    "UpdateThreadCategories",
)


@pytest.fixture
def commits(monkeypatch):
    """The store's writes of processing, each a commit of its own when nothing else writes meanwhile, by the store
    method that made them (a claim that took nothing is left out: it writes nothing). `drained()` waits until no
    write is in flight: a write is counted once it returns, a moment after what it committed can be read."""
    made = _Commits()
    write = Database.write

    async def counting(self, work):
        caller = sys._getframe(1).f_code.co_name
        made.in_flight += 1
        try:
            result = await write(self, work)
        finally:
            made.in_flight -= 1
        if caller not in _NOT_PROCESSING and not (caller == "claim_next" and not result):
            made.append(caller)
        return result

    monkeypatch.setattr(Database, "write", counting)
    return made


class _Commits(list[str]):
    in_flight = 0

    async def drained(self) -> None:
        await eventually(lambda: self.in_flight, lambda count: count == 0, timeout=5, interval=0.005, what="writes")


async def test_a_message_costs_one_commit_per_dimelo_effect_besides_its_claim_and_its_end(
    peers, settings_for, start_orchestrator, commits
):
    """In: a thread's first message (answered: the thread read for its bot category, an intervention opened, the
    reply posted), a follow-up (answered), a message the AI hands over (notice, agents' note, intervention closed,
    recategorized), and a handover as another thread's first message. Out: each message's processing commits once
    to claim it, once right before each Dimelo effect (the proof of the lease, with what was recorded since) and
    once to end it with the last effect's record: 4, 3, 6 and 7 commits."""
    ai, dimelo, _ = peers
    running = await start_orchestrator(settings_for(bot_category_ids=["bot-cat"]))
    paths = [("first answer", "thread-1", 1), ("follow-up", "thread-1", 2)]
    paths += [("handover", "thread-1", 3), ("handover first", "thread-2", 1)]
    counted = {}
    for path, thread_id, settled_count in paths:
        if path == "handover":
            ai.response = ai_pb2.RespondResponse(handover=ai_pb2.Handover(reason=ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE))
        effects_before = sum(len(dimelo.calls[name]) for name in _EFFECTS)
        commits.clear()
        await running.submit(customer_message(thread_id=thread_id, body=path))
        await settled(running, thread_id, settled_count)
        await commits.drained()
        effects = sum(len(dimelo.calls[name]) for name in _EFFECTS) - effects_before
        counted[path] = (len(commits), effects)
        print(f"{path}: {len(commits)} commits ({', '.join(commits)}) for {effects} Dimelo effects")

    assert counted == {"first answer": (4, 2), "follow-up": (3, 1), "handover": (6, 4), "handover first": (7, 5)}
