"""A conversation load for the reliability tests: many threads, several messages each, and a tally of the result."""

import contextlib
import time
from dataclasses import dataclass, field

from devstack.sandbox_client import SandboxClient
from orchestrator.settings import Settings
from tests.support.eventually import eventually_sync

# The bot's replies that hand a customer to the agents (the default notices).
HANDOVER_NOTICES = frozenset(Settings.model_fields[name].default for name in ("handover_message", "no_agent_message"))

QUESTIONS = (
    "What are your opening hours?",
    "How can I track my order?",
    "What payment methods do you accept?",
    "How do I return an item?",
    "How long does delivery take?",
)


@dataclass
class Tally:
    """What became of every customer message: answered once (`handed_over` of them with a handover notice), lost
    (no reply), duplicated, out of order."""

    messages: int = 0
    answered: int = 0
    handed_over: int = 0
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    out_of_order_threads: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self, label: str) -> str:
        return (
            f"[{label}] sent={self.messages} answered={self.answered} handed_over={self.handed_over} "
            f"lost={len(self.lost)} "
            f"duplicates={len(self.duplicates)} out_of_order_threads={len(self.out_of_order_threads)} "
            f"seconds={self.seconds:.1f}"
        )


def send(sandbox: SandboxClient, threads: int, per_thread: int, pause: float = 0.0) -> dict[str, list[str]]:
    """Customers write `per_thread` messages in each of `threads` new threads, `pause` seconds between rounds;
    returns content ids by thread."""
    sent: dict[str, list[str]] = {}
    for index in range(threads):
        message = sandbox.customer_writes(f"{QUESTIONS[index % len(QUESTIONS)]} (#{index}.0)")
        sent[message["thread_id"]] = [message["content"]["id"]]
    for round_number in range(1, per_thread):
        time.sleep(pause)
        for index, thread_id in enumerate(sent):
            body = f"{QUESTIONS[(index + round_number) % len(QUESTIONS)]} (#{index}.{round_number})"
            sent[thread_id].append(sandbox.customer_writes(body, thread_id=thread_id)["content"]["id"])
    return sent


def tally(sandbox: SandboxClient, sent: dict[str, list[str]], started: float, timeout: float) -> Tally:
    """Waits (up to `timeout`) until every message has a bot reply, then counts."""
    pending = dict(sent)

    def unanswered() -> list[str]:
        """The threads not yet seen answered. A sweep stops at the first thread still waiting: one is enough to wait
        on, and reading every transcript at each poll kept a core busy while the stack under test needed it."""
        for thread_id in list(pending):
            contents = sandbox.transcript(thread_id)["contents"]
            replied = {c["in_reply_to_id"] for c in contents if c["author_kind"] == "bot"}
            if not set(pending[thread_id]) <= replied:
                break
            del pending[thread_id]
        return list(pending)

    with contextlib.suppress(TimeoutError):  # what is still unanswered then is counted as lost below
        eventually_sync(unanswered, lambda left: not left, timeout=timeout, interval=0.2, what="every reply")
    result = Tally(messages=sum(len(ids) for ids in sent.values()), seconds=time.monotonic() - started)
    for thread_id, content_ids in sent.items():
        replies = [c for c in sandbox.transcript(thread_id)["contents"] if c["author_kind"] == "bot"]
        targets = [r["in_reply_to_id"] for r in replies]
        for content_id in content_ids:
            count = targets.count(content_id)
            result.answered += count >= 1
            result.handed_over += any(
                r["in_reply_to_id"] == content_id and r["body"] in HANDOVER_NOTICES for r in replies
            )
            if count == 0:
                result.lost.append(content_id)
            elif count > 1:
                result.duplicates.append(content_id)
        answered_order = [t for t in dict.fromkeys(targets) if t in content_ids]
        if answered_order != [c for c in content_ids if c in answered_order]:
            result.out_of_order_threads.append(thread_id)
    return result
