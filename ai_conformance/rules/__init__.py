"""The contract's rules, in the order they run; each docstring says what the contract demands (MUST or SHOULD)."""

from ai_conformance.rules.requests import (
    concurrency,
    customer_request,
    empty_message,
    long_message,
    missing_message,
    picked_choice,
    responds,
    unknown_fields,
    unsupported_language,
)
from ai_conformance.rules.run import answer_choices, answer_text, deadline, handover_reason
from ai_conformance.rules.serving import health, reflection

# The rules over every call of the run (answer_text, answer_choices, handover_reason, deadline) come last.
RULES = (
    health,
    reflection,
    responds,
    customer_request,
    empty_message,
    missing_message,
    long_message,
    unsupported_language,
    unknown_fields,
    picked_choice,
    concurrency,
    answer_text,
    answer_choices,
    handover_reason,
    deadline,
)
