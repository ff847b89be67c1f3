"""How long a new event waits before it may be processed: only while an earlier event of its thread may still come.

Dimelo does not keep order. The ordering window W (ORDERING_WINDOW_SECONDS) rests on one premise: an event arrives
here at most W after any event of its thread created later than it has arrived; holding each event W after its own
arrival is what makes every earlier event of its thread arrive first. Within that premise an event goes at once when
the content's metadata shows its thread's earlier events are all here:
- `first_in_thread`: nothing came before it in its thread;
- `in_reply_to_id` names a customer's message already taken in (or in the same delivery): the content right before
  it is here, and the queue processes a thread's events in `issued_at` order, so nothing can overtake it.
A predecessor P written by the bot or an agent does not show that much: a customer's message C written while the
bot was answering comes before P and may still be on its way. But C was created before P, so once an event of P
(Dimelo's echo of the reply, content.replied or content.exported, or an agent's content) has been received here at
d_P, the premise says C arrives by d_P + W. An event B in reply to P is therefore due at min(arrival of B, d_P) + W:
held max(0, d_P + W - now), counted as PREDECESSOR_SETTLED when that is nothing, and held W (NO_EVIDENCE) while
no event of P has been received (P known only from the bot's own records). d_P is the intake's clock as stored
(received_at), never Dimelo's dates; with several replicas it is the clock of the replica that took P's event in,
so their clocks are assumed synchronized (NTP): a replica δ behind lets B go δ early.
Both evidences rest on `in_reply_to_id` naming the content right before in the thread, as RingCentral's chatbot
example uses it; where a source does not set it, every event waits the window as before.
An `in_reply_to_id` naming a content not known at all is evidence the other way: the event it follows is on its way
(a reordered delivery), so the event is held longer (PREDECESSOR_MISSING_HOLD_SECONDS) for it to arrive first,
and released as soon as it does when a customer wrote it (IntakeQueue.accept).
"""

from botbridge.events.v1 import events_pb2
from orchestrator.store import KnownContent

FIRST_IN_THREAD, PREDECESSOR_HERE, NO_EVIDENCE = "first_in_thread", "predecessor_here", "no_evidence"
PREDECESSOR_MISSING, PREDECESSOR_SETTLED = "predecessor_missing", "predecessor_settled"
# How long an event whose predecessor is known to be missing waits for it (with the ordering window on): a delivery
# of the predecessor delayed past the window (a loaded gateway, Dimelo's retries) would otherwise be answered late.
PREDECESSOR_MISSING_HOLD_SECONDS = 2.0


def hold(event: events_pb2.Event, predecessor: KnownContent | None, window: float, now: float) -> tuple[str, float]:
    """Why the event waits, and for how long (seconds from `now`, its arrival), with an ordering window of `window`
    seconds: FIRST_IN_THREAD, PREDECESSOR_HERE, PREDECESSOR_SETTLED (no wait), NO_EVIDENCE (up to the window),
    PREDECESSOR_MISSING (longer). `predecessor`: what is known here of the content its `in_reply_to_id` names (None:
    nothing)."""
    content = event.content
    if content.first_in_thread:
        return FIRST_IN_THREAD, 0.0
    if not content.in_reply_to_id:
        return NO_EVIDENCE, window
    if predecessor is None:
        return PREDECESSOR_MISSING, max(window, PREDECESSOR_MISSING_HOLD_SECONDS)
    if predecessor.customer:
        return PREDECESSOR_HERE, 0.0
    if predecessor.received_at is None:
        return NO_EVIDENCE, window
    seconds = max(0.0, min(now, predecessor.received_at) + window - now)
    return (PREDECESSOR_SETTLED, 0.0) if seconds == 0 else (NO_EVIDENCE, seconds)
