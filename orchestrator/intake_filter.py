"""Which events are customer messages for the bot, decided on what Dimelo's webhook actually carries.

A `content.imported` event is not only a customer's message: a post made directly on a managed page and a chat's
automatic welcome message are "imported" too (events.md). Its metadata is exactly events.md's list: `status`,
`creator_id`, `created_from`, `author_id`, `first_in_thread`, ... but no `auto_submitted`, which only the REST
content has. The rules, in order:

At intake, from the event alone (no Dimelo call, so the webhook is acknowledged at once):
1. `creator_id` set: written inside Dimelo by a user (an agent, or this bot), never a customer's message.
2. `created_from` other than `synchronizer`: not imported from the customer's channel (made in the interface or
   through the API).
3. `status` `ignored`: marked ignored by Dimelo, e.g. a post made by the page itself.
4. `status` `user_initiated`: started by the account itself, e.g. the chat's automatic welcome message.
5. A source the bot does not handle (`BOT_SOURCE_IDS`).

When processing, only where the webhook cannot tell (see `needs_content_check`):
6. A content first in its thread may be the source's automatic welcome message sent with a customer-like status:
   the content is read once (`GET /1.0/contents/:id`, through the adapter's GetContent) and, if `auto_submitted`,
   not answered.

`author_id` alone cannot tell: the identity a source writes as (its company identity) is not in the webhook.
"""

from collections.abc import Collection
from dataclasses import dataclass

from botbridge.events.v1 import events_pb2
from orchestrator.store import CUSTOMER_MESSAGE

# Contents created inside Dimelo (by agents or through the API), each announced once as it is created (events.md): a
# reply, or a discussion an agent starts. They tell the proxy who else acts on a thread. Not content.exported: it
# comes again for every content already announced, and tells of automatic messages (surveys, auto-responses) and of
# failed exports too.
REPLY_EVENTS = frozenset({"content.replied", "content.discussion_initiated"})
# Content statuses of imported contents that no customer wrote (rules 3 and 4), with what they mean.
_NOT_FROM_THE_CUSTOMER = {
    "ignored": "marked ignored by Dimelo (e.g. a post made by the page itself)",
    "user_initiated": "started by the account itself (e.g. a chat welcome message)",
}
AUTO_SUBMITTED = "ignored: sent automatically by the source (e.g. a chat welcome message)"
# An agent closing an intervention may hand the thread back to the bot (orchestrator/handback.py).
INTERVENTION_CLOSED = "intervention.closed"
# The events to register Dimelo's webhook for (its `registered_events`), and no more: every type registered costs a
# delivery each time it happens. intervention.closed is used only with HANDBACK=on; it is registered all the same
# (about one a conversation), so that turning handback on needs no change at Dimelo.
WEBHOOK_EVENTS = (CUSTOMER_MESSAGE, *sorted(REPLY_EVENTS), INTERVENTION_CLOSED)


@dataclass(frozen=True)
class IntakeDecision:
    """`process` is True when the event goes to the processing queue; otherwise `reason` says why not, and `code`
    names the reason in a word (for metrics)."""

    process: bool
    reason: str = ""
    malformed: bool = False
    code: str = ""


# A content.replied event for a reply the bot is known to have posted.
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
    """Rules 1 to 5: why an imported content is not a customer message for the bot to answer, as a code and in
    words; two empty strings when the webhook says nothing against it."""
    if content.HasField("creator_id"):
        return "written_inside_dimelo", "written inside Dimelo by a user (an agent or this bot)"
    if content.created_from and content.created_from != "synchronizer":
        return "not_synchronized", f"not imported from the customer's channel (created_from={content.created_from!r})"
    if content.status in _NOT_FROM_THE_CUSTOMER:
        return f"status_{content.status}", _NOT_FROM_THE_CUSTOMER[content.status]
    if bot_source_ids and content.source_id not in bot_source_ids:
        return "source_not_handled", f"source {content.source_id} is not handled by the bot"
    return "", ""


def needs_content_check(content: events_pb2.Content) -> bool:
    """Rule 6: a content first in its thread may be an automatic welcome message that the webhook cannot tell
    from a customer's first message; the REST content's `auto_submitted` decides."""
    return content.first_in_thread
