"""Rules on single Respond calls: ordinary questions, a request for a human, and the unusual requests the
contract covers (no message, an empty one, a very long one, an unhandled language, fields from a later version)."""

import asyncio

import grpc

from ai_conformance import samples
from ai_conformance.probe import Outcome, Probe, reason_name
from ai_conformance.verdict import Finding, judge, listing
from botbridge.ai.v1 import ai_pb2


def _seen(outcome: Outcome) -> str:
    return f"{outcome.asked}: {outcome.describe()}"


async def _ask(probe: Probe, body: str, language: str = "en") -> Outcome:
    return await probe.respond(repr(body), samples.request(body, language))


def _undecided(outcomes: list[Outcome]) -> list[str]:
    """What came back instead of a decision (an answer or a handover), call by call."""
    return [_seen(outcome) for outcome in outcomes if outcome.decision is None]


def _wrong_reason(outcome: Outcome, recommended: ai_pb2.HandoverReason) -> list[str]:
    """A SHOULD: the handover reason the proto names for this case; an answer or another reason is advised against."""
    if outcome.decision == "handover" and outcome.decided.handover.reason == recommended:
        return []
    return [f"{_seen(outcome)}, where a handover {reason_name(recommended)} is recommended"]


async def responds(probe: Probe) -> Finding:
    """MUST answer a customer question with exactly one of `answer` or `handover` (the oneof), within the deadline."""
    outcomes = [await _ask(probe, question) for question in samples.QUESTIONS]
    decisions = [outcome.decision for outcome in outcomes]
    fine = f"{len(outcomes)} questions: {decisions.count('answer')} answers, {decisions.count('handover')} handovers"
    return judge(_undecided(outcomes), [], fine)


async def customer_request(probe: Probe) -> Finding:
    """MUST hand over when the customer asks for a human; SHOULD give the reason HANDOVER_REASON_CUSTOMER_REQUEST.

    A MUST because a bot that keeps a customer who asked for a person traps them; an AI that first asks a
    qualifying question can do so in other turns, but an explicit request like these gets a handover.
    """
    outcomes = [await _ask(probe, body) for body in samples.HUMAN_REQUESTS]
    broken = [_seen(outcome) for outcome in outcomes if outcome.decision != "handover"]
    advised = [line for outcome in outcomes for line in _wrong_reason(outcome, ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST)]
    return judge(broken, advised, "every explicit request for a human is handed over (CUSTOMER_REQUEST)")


async def empty_message(probe: Probe) -> Finding:
    """MUST decide on an empty or blank message, not fail; SHOULD hand over with HANDOVER_REASON_UNUSABLE_MESSAGE.

    The proto keeps INVALID_ARGUMENT for a request without a message; an empty body is a message (an attachment
    only, say), and the proto names its handover reason.
    """
    outcomes = [await _ask(probe, body) for body in samples.EMPTY_BODIES]
    advised = [line for outcome in outcomes for line in _wrong_reason(outcome, ai_pb2.HANDOVER_REASON_UNUSABLE_MESSAGE)]
    return judge(_undecided(outcomes), advised, "empty and blank messages are handed over (UNUSABLE_MESSAGE)")


async def missing_message(probe: Probe) -> Finding:
    """MUST refuse a request without a message with the status INVALID_ARGUMENT."""
    requests = {
        "a request without a conversation": ai_pb2.RespondRequest(),
        "a conversation without a message": ai_pb2.RespondRequest(
            conversation=ai_pb2.Conversation(thread_id="conformance-no-message", language="en")
        ),
    }
    outcomes = [await probe.respond(asked, request) for asked, request in requests.items()]
    broken = [
        f"{_seen(outcome)}, not status INVALID_ARGUMENT"
        for outcome in outcomes
        if outcome.code is not grpc.StatusCode.INVALID_ARGUMENT
    ]
    return judge(broken, [], "both refused with INVALID_ARGUMENT")


async def long_message(probe: Probe) -> Finding:
    """MUST meet a 100 kB message with a decision or INVALID_ARGUMENT within the deadline, and keep serving.

    Never UNKNOWN, INTERNAL or a timeout: the caller could not tell a refusal from a crash.
    """
    size = f"a {samples.LONG_MESSAGE_BYTES // 1000} kB message"
    outcome = await probe.respond(size, samples.request(samples.long_body()))
    broken = []
    if outcome.decision is None and outcome.code is not grpc.StatusCode.INVALID_ARGUMENT:
        broken.append(_seen(outcome))
    after = await probe.respond(f"a question after {size}", samples.request(samples.QUESTIONS[0]))
    broken.extend(_undecided([after]))
    how = outcome.describe() if outcome.decision else "refused with INVALID_ARGUMENT"
    return judge(broken, [], f"{size}: {how} in {outcome.seconds * 1000:.0f} ms; serving after it")


async def unsupported_language(probe: Probe) -> Finding:
    """MUST decide on a message in a language the AI does not handle; SHOULD hand over with
    HANDOVER_REASON_UNSUPPORTED_LANGUAGE (an answer is right only for an AI that handles the language)."""
    language, body = samples.UNSUPPORTED_LANGUAGE
    outcome = await _ask(probe, body, language)
    advised = _wrong_reason(outcome, ai_pb2.HANDOVER_REASON_UNSUPPORTED_LANGUAGE)
    if advised:
        advised = [f"{advised[0]} unless the AI handles {language!r}"]
    return judge(_undecided([outcome]), advised, f"language {language!r} handed over (UNSUPPORTED_LANGUAGE)")


async def unknown_fields(probe: Probe) -> Finding:
    """MUST tolerate fields and enum values it does not know (a later version of the proto may add them)."""
    body = samples.QUESTIONS[0]
    outcome = await probe.respond(f"{body!r} with unknown fields", samples.with_unknown_fields(body))
    fine = f"unknown fields in every message and an undefined Author value: {outcome.describe()}"
    return judge(_undecided([outcome]), [], fine)


async def picked_choice(probe: Probe) -> Finding:
    """MUST decide on a message that picks a choice the bot offered (`Message.picked_choice` set), even an AI that
    never offers choices: the message is still the customer's next message."""
    outcome = await probe.respond("a tapped choice (picked_choice set)", samples.picked_choice_request())
    return judge(_undecided([outcome]), [], f"a picked choice: {outcome.describe()}")


async def concurrency(probe: Probe) -> Finding:
    """MUST answer many simultaneous calls (--concurrency), each with a decision within the deadline."""
    questions = samples.QUESTIONS
    outcomes = await asyncio.gather(
        *(
            probe.respond(f"simultaneous call {n + 1}", samples.request(questions[n % len(questions)]))
            for n in range(probe.concurrency)
        )
    )
    slowest = max(outcome.seconds for outcome in outcomes)
    fine = f"{len(outcomes)} simultaneous calls all decided, the slowest in {slowest * 1000:.0f} ms"
    return judge(listing(_undecided(outcomes)), [], fine)
