"""Dimelo REST calls per answered message, as the sandbox counted them: a thread's first answer, a follow-up
answer and a handover, each measured on its own from a settled stack; and a burst of messages against the call
budget with the sandbox's rate limit on."""

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from bench.customers import Customers, Sent
from bench.end_to_end import settle

HANDOVER_REQUEST = "I want to talk to a human agent please"


@dataclass(frozen=True)
class Calls:
    """REST calls the sandbox received while `messages` were answered, and which ones ("METHOD /path/:id")."""

    messages: int
    unanswered: int
    by_operation: Mapping[str, int]

    @property
    def per_message(self) -> float:
        return sum(self.by_operation.values()) / max(1, self.messages)

    def profile(self) -> str:
        """E.g. "POST /1.0/contents 1.00, GET /1.0/content_threads/:id 1.00" per message, most frequent first."""
        return ", ".join(f"{op} {n / max(1, self.messages):.2f}" for op, n in self.by_operation.most_common())


@dataclass(frozen=True)
class BudgetBurst:
    """Messages written at once against the call budget: how many were answered, 429s, calls and time."""

    messages: int
    unanswered: int
    refused_429: int
    calls: int
    seconds: float
    window_seconds: float

    @property
    def calls_per_window(self) -> float:
        """Calls per window of the budget (Dimelo's minute, scaled), over the whole burst."""
        return self.calls / self.seconds * self.window_seconds if self.seconds else 0.0


async def per_answer(
    customers: Customers, sandbox: httpx.AsyncClient, threads: int, timeout: float
) -> dict[str, Calls]:
    """First answers in `threads` new threads, then one follow-up answer in each, then one handover in each."""
    found = {}
    opened: list[Sent] = []

    async def first() -> list[Sent]:
        opened.extend(await customers.write([None] * threads))
        return opened

    found["first answer"] = await _counted(customers, sandbox, first, timeout)
    thread_ids = [s.thread_id for s in opened]
    found["follow-up answer"] = await _counted(customers, sandbox, lambda: customers.write(thread_ids), timeout)

    async def handovers() -> list[Sent]:
        return await customers.write(thread_ids, body=HANDOVER_REQUEST)

    found["handover"] = await _counted(customers, sandbox, handovers, timeout)
    return found


async def _counted(customers: Customers, sandbox: httpx.AsyncClient, write, timeout: float) -> Calls:
    """The calls made from a settled stack until the messages `write` sends are answered and the stack settled."""
    await settle(sandbox)
    before = await _rest_calls(sandbox)
    sent = await write()
    answers = await customers.wait_answered(sent, timeout)
    await settle(sandbox)
    calls = await _rest_calls(sandbox) - before
    records = (await sandbox.get("/_sandbox/requests", params={"limit": calls})).json()["records"] if calls else []
    operations = Counter(f"{record['method']} {_route(record['path'])}" for record in records)
    return Calls(len(sent), sum(a.replied_at is None for a in answers), operations)


def _route(path: str) -> str:
    """The path with ":id" for each id (a segment with a digit, but the version)."""
    return "/".join(
        ":id" if segment != "1.0" and any(c.isdigit() for c in segment) else segment for segment in path.split("/")
    )


async def _rest_calls(sandbox: httpx.AsyncClient) -> int:
    return (await sandbox.get("/_sandbox/stats")).json()["rest_calls"]


async def budget_burst(
    customers: Customers, sandbox: httpx.AsyncClient, threads: int, per_thread: int, window: float, timeout: float
) -> BudgetBurst:
    """`threads` × `per_thread` messages written at once (the threads' first messages, then the rest), against the
    sandbox's rate limit and the adapter's budget of the same size; measured until the last reply."""
    await settle(sandbox)
    before = (await sandbox.get("/_sandbox/stats")).json()["rest_by_status"]
    started = time.time()
    opened = await customers.write([None] * threads)
    sent = opened + await customers.write([s.thread_id for s in opened] * (per_thread - 1))
    answers = await customers.wait_answered(sent, timeout)
    replies = [a.replied_at for a in answers if a.replied_at is not None]
    ended = max(replies, default=time.time())
    after = (await sandbox.get("/_sandbox/stats")).json()["rest_by_status"]
    calls = {status: count - before.get(status, 0) for status, count in after.items()}
    return BudgetBurst(
        len(sent), len(sent) - len(replies), calls.get("429", 0), sum(calls.values()), ended - started, window
    )
