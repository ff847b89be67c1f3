"""Rules over every call of the run: what each answer and each handover carries, and the deadline.

They come last, so they see the responses the other rules provoked.
"""

import re

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
    blank = [outcome.asked for outcome in answers if not outcome.decided.answer.text.strip()]
    odd = [
        f"{outcome.asked}: confidence {outcome.decided.answer.confidence}"
        for outcome in answers
        if not 0 <= outcome.decided.answer.confidence <= 1  # NaN fails this too
    ]
    broken = [f"blank answer text to {', '.join(listing(blank))}"] if blank else []
    return judge(broken, listing(odd), f"{len(answers)} answers, each with text")


MAX_CHOICES, MAX_BUTTONS, MAX_TITLE, MAX_PAYLOAD = 13, 4, 80, 1000


def _choice_problems(answer: ai_pb2.Answer) -> list[str]:
    """What Dimelo's structured messages would refuse in the answer's choices (the limits the proto states)."""
    choices = answer.choices
    links = any(choice.url for choice in choices)
    problems = []
    if len(choices) > (MAX_BUTTONS if links else MAX_CHOICES):
        problems.append(f"{len(choices)} choices, at most {MAX_BUTTONS if links else MAX_CHOICES}")
    for choice in choices:
        if not choice.title.strip() or len(choice.title) > MAX_TITLE:
            problems.append(f"title {choice.title[:90]!r}: blank or over {MAX_TITLE} characters")
        if not choice.payload.isascii() or len(choice.payload) > MAX_PAYLOAD:
            problems.append(f"payload of {choice.title!r}: not ASCII or over {MAX_PAYLOAD} characters")
        if choice.url and not re.match(r"https?://\S+$", choice.url):
            problems.append(f"url of {choice.title!r}: not http or https")
    return problems


async def answer_choices(probe: Probe) -> Finding:
    """MUST keep every answer's choices within the proto's limits (at most 13, or 4 with a url; titles of 1 to 80
    characters; ASCII payloads of at most 1000; http or https urls); SHOULD give them distinct titles.

    Checks every answer of the run; an AI that never offers choices passes. Titles must differ because a customer
    who types a title instead of tapping it is read back by title.
    """
    offering = [outcome for outcome in _decided(probe, "answer") if outcome.decided.answer.choices]
    if not offering:
        return Finding(Status.PASS, "no answer offered choices (they are optional)")
    broken = [f"{o.asked}: {problem}" for o in offering for problem in _choice_problems(o.decided.answer)]
    repeated = [
        o.asked
        for o in offering
        if len({c.title.casefold() for c in o.decided.answer.choices}) < len(o.decided.answer.choices)
    ]
    advised = [f"the same title twice in the choices to {', '.join(listing(repeated))}"] if repeated else []
    return judge(listing(broken), advised, f"{len(offering)} answers with choices, each within the limits")


async def handover_reason(probe: Probe) -> Finding:
    """MUST give every handover a reason v1 defines, other than HANDOVER_REASON_UNSPECIFIED (the proxy counts
    them); SHOULD add an `explanation` an agent can read.

    Checks every handover of the run.
    """
    handovers = _decided(probe, "handover")
    if not handovers:
        return Finding(Status.WARN, "no call got a handover, so no handover could be checked")
    unusable = [
        f"{outcome.asked}: {reason_name(outcome.decided.handover.reason)}"
        for outcome in handovers
        if outcome.decided.handover.reason not in _DEFINED_REASONS
    ]
    unexplained = [outcome.asked for outcome in handovers if not outcome.decided.handover.explanation.strip()]
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
