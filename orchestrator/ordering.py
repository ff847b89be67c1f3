"""How long a new event waits before it may be processed: only while an earlier event of its thread may still come.

Dimelo does not keep order, so an event is held (up to ORDERING_WINDOW_SECONDS) when nothing says its thread's
earlier events are all here. The content's metadata says so in two cases, and then the event goes at once:
- `first_in_thread`: nothing came before it in its thread;
- `in_reply_to_id` names a customer's message already taken in (or in the same delivery): the content right before
  it is here, and the queue processes a thread's events in `issued_at` order, so nothing can overtake it.
A predecessor written by the bot or an agent proves nothing: a customer's message written while the bot was
answering comes before the bot's reply and may still be on its way, so such an event waits the window.
An `in_reply_to_id` naming a content not known at all is evidence the other way: the event it follows is on its way
(a reordered delivery), so the event is held longer (PREDECESSOR_MISSING_HOLD_SECONDS) for it to arrive first.
"""

from collections.abc import Mapping

from botbridge.events.v1 import events_pb2

FIRST_IN_THREAD, PREDECESSOR_HERE, NO_EVIDENCE = "first_in_thread", "predecessor_here", "no_evidence"
PREDECESSOR_MISSING = "predecessor_missing"
# How long an event whose predecessor is known to be missing waits for it (with the ordering window on): a delivery
# of the predecessor delayed past the window (a loaded gateway, Dimelo's retries) would otherwise be answered late.
PREDECESSOR_MISSING_HOLD_SECONDS = 2.0
CUSTOMER_MESSAGE = "content.imported"
NOT_PENDING = ""  # an event that is not processed: nothing to hold


def evidence(event: events_pb2.Event, known: Mapping[str, bool]) -> str:
    """Why the event may go at once (FIRST_IN_THREAD, PREDECESSOR_HERE), or why it is held: NO_EVIDENCE (for the
    ordering window), PREDECESSOR_MISSING (longer). `known`: the contents here, each with whether it is a
    customer's message."""
    content = event.content
    if content.first_in_thread:
        return FIRST_IN_THREAD
    if not content.in_reply_to_id:
        return NO_EVIDENCE
    if content.in_reply_to_id not in known:
        return PREDECESSOR_MISSING
    return PREDECESSOR_HERE if known[content.in_reply_to_id] else NO_EVIDENCE


def hold_seconds(why: str, window: float) -> float:
    """How long an event held for `why` waits, with an ordering window of `window` seconds."""
    if why == NO_EVIDENCE:
        return window
    if why == PREDECESSOR_MISSING:
        return max(window, PREDECESSOR_MISSING_HOLD_SECONDS)
    return 0.0
