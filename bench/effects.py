"""Exactly-once and in order, as the sandbox (Dimelo's stand-in) holds them: for each customer message written, how
many bot replies name it, and whether each thread's replies come in the order of its customer messages."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.customers import Customers, Sent


@dataclass(frozen=True)
class Effects:
    """What became of the customer messages of a run: unanswered, answered more than once, threads whose replies
    came out of order, threads with more than one intervention opened."""

    messages: int
    unanswered: int
    duplicated: int
    out_of_order_threads: int
    threads: int
    extra_interventions: int

    @property
    def kept(self) -> bool:
        return not (self.unanswered or self.duplicated or self.out_of_order_threads or self.extra_interventions)

    def summary(self) -> str:
        if self.kept:
            return "kept"
        return (
            f"{self.unanswered} unanswered, {self.duplicated} answered twice or more, {self.out_of_order_threads} "
            f"threads out of order, {self.extra_interventions} threads with 2+ interventions"
        )


async def check(customers: Customers, sent: Sequence[Sent]) -> Effects:
    """Reads every thread of `sent` once from the sandbox and counts."""
    return count(await customers.transcripts([s.thread_id for s in sent]), {s.content_id for s in sent})


def count(transcripts: Mapping[str, dict], ours: set[str]) -> Effects:
    """`transcripts`: the sandbox's, by thread id; `ours`: the customer contents written. A thread's order is the
    order of its customer contents in Dimelo (not the order the driver sent them in, which concurrent writes may
    swap)."""
    unanswered = duplicated = out_of_order = extra_interventions = 0
    for transcript in transcripts.values():
        contents = transcript["contents"]
        written = [c["id"] for c in contents if c["author_kind"] == "customer" and c["id"] in ours]
        replies = [c["in_reply_to_id"] for c in contents if c["author_kind"] == "bot" and c["in_reply_to_id"] in ours]
        counts = Counter(replies)
        unanswered += sum(1 for content_id in written if counts[content_id] == 0)
        duplicated += sum(1 for n in counts.values() if n > 1)
        out_of_order += list(dict.fromkeys(replies)) != [c for c in written if counts[c]]
        extra_interventions += len(transcript["interventions"]) > 1
    return Effects(len(ours), unanswered, duplicated, out_of_order, len(transcripts), extra_interventions)
