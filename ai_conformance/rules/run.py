"""Rules over every call of the run: what each answer and each handover carries, and the deadline.

They come last, so they see the responses the other rules provoked.
"""

import grpc

from ai_conformance import samples
from ai_conformance.probe import Outcome, Probe, reason_name
from ai_conformance.verdict import Finding, Status, judge, listing
from botbridge.ai.v1 import ai_pb2

_DEFINED_REASONS = frozenset(ai_pb2.HandoverReason.values()) - {ai_pb2.HANDOVER_REASON_UNSPECIFIED}


def _decided(probe: Probe, decision: str) -> list[Outcome]:
    return [outcome for outcome in probe.calls if outcome.decision == decision]


async def answer_text(probe: Probe) -> Finding:
    """MUST give every answer a non-blank `text` (the proxy posts it as is); SHOULD keep `confidence` in 0..1.

    Checks every answer of the run.
    """
    answers = _decided(probe, "answer")
    if not answers:
        return Finding(Status.WARN, "no call got an answer, so no answer could be checked")
    blank = [outcome.asked for outcome in answers if not outcome.response.answer.text.strip()]
    odd = [
        f"{outcome.asked}: confidence {outcome.response.answer.confidence}"
        for outcome in answers
        if not 0 <= outcome.response.answer.confidence <= 1  # NaN fails this too
    ]
    broken = [f"blank answer text to {', '.join(listing(blank))}"] if blank else []
    return judge(broken, listing(odd), f"{len(answers)} answers, each with text")


async def handover_reason(probe: Probe) -> Finding:
    """MUST give every handover a reason v1 defines, other than HANDOVER_REASON_UNSPECIFIED (the proxy counts
    them); SHOULD add an `explanation` an agent can read.

    Checks every handover of the run.
    """
    handovers = _decided(probe, "handover")
    if not handovers:
        return Finding(Status.WARN, "no call got a handover, so no handover could be checked")
    unusable = [
        f"{outcome.asked}: {reason_name(outcome.response.handover.reason)}"
        for outcome in handovers
        if outcome.response.handover.reason not in _DEFINED_REASONS
    ]
    unexplained = [outcome.asked for outcome in handovers if not outcome.response.handover.explanation.strip()]
    advised = [f"no explanation to {', '.join(listing(unexplained))}"] if unexplained else []
    return judge(listing(unusable), advised, f"{len(handovers)} handovers, each with a defined reason")


async def deadline(probe: Probe) -> Finding:
    """MUST answer every call before the caller's deadline (a late answer is discarded and the conversation
    handed over).

    Asks once more with a full-size conversation, then checks the time of every call of the run.
    """
    await probe.respond(
        f"a conversation with {samples.FULL_HISTORY} earlier messages",
        samples.request(samples.QUESTIONS[0], history=samples.FULL_HISTORY),
    )
    late = [outcome.asked for outcome in probe.calls if outcome.code is grpc.StatusCode.DEADLINE_EXCEEDED]
    broken = []
    if late:
        within = f"{len(late)} of {len(probe.calls)} calls got nothing within {probe.deadline:g} s"
        broken.append(f"{within}: {', '.join(listing(late))}")
    slowest = max(probe.calls, key=lambda outcome: outcome.seconds)
    fine = (
        f"{len(probe.calls)} calls, the slowest in {slowest.seconds * 1000:.0f} ms ({slowest.asked}), "
        f"deadline {probe.deadline * 1000:.0f} ms"
    )
    return judge(broken, [], fine)
