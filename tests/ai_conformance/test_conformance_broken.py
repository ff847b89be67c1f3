"""The kit against deliberately broken AIs: each fails exactly the rules it breaks, and the report names them."""

import pytest
from broken_ai_servers import Breakage, broken_ai

from ai_conformance.report import conforms, render_text
from ai_conformance.runner import run_kit
from ai_conformance.verdict import Status

EVERY_DECISION = {
    "responds",
    "customer_request",
    "empty_message",
    "long_message",
    "unsupported_language",
    "unknown_fields",
    "concurrency",
    "picked_choice",
}
# What each broken AI must fail, and nothing else.
FAILED_RULES = {
    Breakage.NO_HEALTH: {"health"},
    Breakage.NO_REFLECTION: {"reflection"},
    Breakage.EMPTY_RESPONSE: EVERY_DECISION,
    Breakage.BLANK_ANSWER: {"answer_text"},
    Breakage.UNSPECIFIED_REASON: {"handover_reason"},
    Breakage.KEEPS_HUMAN_REQUESTS: {"customer_request"},
    Breakage.REFUSES_EMPTY: {"empty_message"},
    Breakage.ANSWERS_NO_MESSAGE: {"missing_message"},
    Breakage.CRASHES_ON_LONG: {"long_message"},
    Breakage.HANGS_ON_LONG: {"long_message", "deadline"},
    Breakage.REJECTS_UNKNOWN_FIELDS: {"unknown_fields"},
    Breakage.ONE_AT_A_TIME: {"concurrency", "deadline"},
    Breakage.RAISES: EVERY_DECISION | {"missing_message"},
    Breakage.TOO_MANY_CHOICES: {"answer_choices"},
}
# Short deadlines where the breakage is about time, so the test waits a fraction of a second. One call at a
# time: 16 queued calls take at least 16 x 30 ms, so the last ones miss 0.4 s; a single call has 370 ms to spare.
DEADLINES = {Breakage.HANGS_ON_LONG: 0.5, Breakage.ONE_AT_A_TIME: 0.4}


@pytest.mark.parametrize("breakage", list(Breakage), ids=lambda breakage: breakage.name.lower())
async def test_a_broken_ai_fails_the_rules_it_breaks(breakage: Breakage):
    # In: the kit against an AI that breaks one part of the contract. Out: FAIL for exactly the rules that part
    # concerns, each named on a FAIL line of the report, and the service reported as not conforming.
    async with broken_ai(breakage) as address:
        verdicts = await run_kit(address, deadline=DEADLINES.get(breakage, 2.0))

    assert {v.rule for v in verdicts if v.status is Status.FAIL} == FAILED_RULES[breakage], verdicts
    assert not conforms(verdicts)
    report = render_text(address, verdicts)
    for rule in FAILED_RULES[breakage]:
        assert f"FAIL  {rule} " in report
    assert report.splitlines()[-1].startswith(f"{address} does NOT conform to botbridge.ai.v1 (")
