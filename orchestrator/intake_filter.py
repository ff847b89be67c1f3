"""Decides at intake, from an event's own fields, whether it needs processing; the reason when it does not."""

from collections.abc import Collection
from dataclasses import dataclass

from botbridge.events.v1 import events_pb2

CUSTOMER_MESSAGE = "content.imported"
# Contents created inside Dimelo (by agents or through the API): they tell the proxy who else acts on a thread.
REPLY_EVENTS = frozenset({"content.replied", "content.exported"})
# An agent closing an intervention may hand the thread back to the bot (orchestrator/handback.py).
INTERVENTION_CLOSED = "intervention.closed"


@dataclass(frozen=True)
class IntakeDecision:
    """`process` is True when the event goes to the processing queue; otherwise `reason` says why not, and `code`
    names the reason in a word (for metrics)."""

    process: bool
    reason: str = ""
    malformed: bool = False
    code: str = ""


# A content.replied / content.exported event for a reply the bot is known to have posted.
OWN_REPLY = IntakeDecision(False, "ignored: the bot's own reply", code="own_reply")


def decide(event: events_pb2.Event, bot_source_ids: Collection[str], handback: bool = False) -> IntakeDecision:
    if handback and event.type == INTERVENTION_CLOSED:
        if event.intervention.thread_id:
            return IntakeDecision(True)
        reason = "malformed: intervention event without a thread id"
        return IntakeDecision(False, reason, malformed=True, code="no_content_or_thread_id")
    if event.type not in REPLY_EVENTS and event.type != CUSTOMER_MESSAGE:
        return IntakeDecision(False, f"ignored: event type {event.type!r} is not used by the bot", code="event_type")
    content = event.content
    if not content.id or not content.thread_id:
        reason = "malformed: content event without a content id or thread id"
        return IntakeDecision(False, reason, malformed=True, code="no_content_or_thread_id")
    if event.type in REPLY_EVENTS:
        return IntakeDecision(True)
    code, reason = _not_a_customer_message(content, bot_source_ids)
    return IntakeDecision(False, f"ignored: {reason}", code=code) if reason else IntakeDecision(True)


def _not_a_customer_message(content: events_pb2.Content, bot_source_ids: Collection[str]) -> tuple[str, str]:
    """Why an imported content is not a customer message for the bot to answer, as a code and in words; two empty
    strings when it is one."""
    if content.HasField("creator_id"):
        return "written_inside_dimelo", "written inside Dimelo by a user (an agent or this bot)"
    if content.auto_submitted:
        return "auto_submitted", "sent automatically by the source (e.g. a chat welcome message)"
    if content.created_from and content.created_from != "synchronizer":
        return "not_synchronized", f"not imported from the customer's channel (created_from={content.created_from!r})"
    if content.status == "ignored":
        return "status_ignored", "marked ignored by Dimelo (e.g. a post made by the page itself)"
    if bot_source_ids and content.source_id not in bot_source_ids:
        return "source_not_handled", f"source {content.source_id} is not handled by the bot"
    return "", ""
