"""Dimelo refuses the bot's reply (its token lacks the right to reply): a clear log line, no crash, no token, and
the customer handed to the agents rather than left waiting."""

from tests.e2e.conftest import outcome_of

NO_REPLY_TOKEN = "e2e-token-without-reply-right"
STACK_ENV = {"SANDBOX_TOKENS": f"{NO_REPLY_TOKEN}:read+monitor+manage_interventions+close_thread"}


def test_a_403_on_reply_is_logged_with_the_missing_permission_and_the_token_never_appears(stack, sandbox):
    message = sandbox.customer_writes("What are your opening hours?")

    outcome = outcome_of(stack, message["content"])

    assert outcome.startswith("handed over after a failure, without a notice"), outcome
    assert "PERMISSION_DENIED" in outcome and "reply" in outcome
    for name in ("orchestrator", "dimelo_adapter", "gateway", "ai_service"):
        assert stack.services[name].process.poll() is None, f"{name} crashed"
    logs = stack.logs()
    assert NO_REPLY_TOKEN not in logs
    assert NO_REPLY_TOKEN not in outcome
    assert any("403" in line and "reply" in line for line in logs.splitlines() if '"service": "dimelo_adapter"' in line)
