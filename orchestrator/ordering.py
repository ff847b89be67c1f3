"""How long a new event waits before it may be processed: only while an earlier event of its thread may still come.

Dimelo does not keep order. The ordering window W rests on one premise: an event arrives here at most W after any
event of its thread created later than it has arrived; holding each event W after its own arrival is what makes every
earlier event of its thread arrive first. W is ORDERING_WINDOW_SECONDS while deliveries come about as late as each
other. When they do not (a backlog at Dimelo or here: one event came 1.1 s after it was issued, another of its thread
0.25 s, and it arrived 0.33 s after its follower, measured under load in tests/e2e/test_reliability.py), W grows with
how unevenly late they come (`window`, from orchestrator/delivery_lateness.py), up to ORDERING_WINDOW_MAX_SECONDS.
Within that premise an event goes at once when the content's metadata shows its thread's earlier events are all here:
- `first_in_thread`: nothing came before it in its thread;
- `in_reply_to_id` names a customer's message already taken in (or in the same delivery): the content right before
  it is here, and the queue processes a thread's events in `issued_at` order, so nothing can overtake it.
A predecessor written by the bot or an agent shows nothing: a customer's message written while the bot was answering
comes before the bot's reply and may still be on its way, so such an event waits the window from its own arrival.
(Counting the window from the arrival of the reply's echo instead rests on the same premise with less margin: under
load a customer's message written before the reply came 0.33 s after the echo, past a 0.3 s window, and was
answered after the follow-up; measured in tests/e2e/test_reliability.py, so not done.)
Both evidences rest on `in_reply_to_id` naming the content right before in the thread, as RingCentral's chatbot
example uses it; where a source does not set it, every event waits the window.
An `in_reply_to_id` naming a content not known at all is evidence the other way: the event it follows is on its way
(a reordered delivery), so the event is held longer (PREDECESSOR_MISSING_HOLD_SECONDS) for it to arrive first,
and released as soon as it does when a customer wrote it (IntakeQueue.accept).
"""

from botbridge.events.v1 import events_pb2
from orchestrator.store import KnownContent

FIRST_IN_THREAD, PREDECESSOR_HERE, NO_EVIDENCE = "first_in_thread", "predecessor_here", "no_evidence"
PREDECESSOR_MISSING = "predecessor_missing"
# How long an event whose predecessor is known to be missing waits for it (with the ordering window on): a delivery
# of the predecessor delayed past the window (a loaded gateway, Dimelo's retries) would otherwise be answered late.
PREDECESSOR_MISSING_HOLD_SECONDS = 2.0
# How far the lateness spread may still grow beyond what was seen: a backlog that is building up makes each event
# later than the ones before it. Twice the spread kept order in every reordered pair measured under load (1.5 did
# not: one pair of six was still out of order).
SPREAD_FACTOR = 2.0


def window(base: float, most: float, lateness: float | None, recent: tuple[float, float] | None) -> float:
    """The ordering window of an event that arrived `lateness` seconds after it was issued (None: unknown): `base`,
    or longer while deliveries come unevenly late (`recent`: the least and greatest lateness lately, None: none), up
    to `most`.

    An earlier event of its thread arrives at most (its own lateness - this one's) after this one; that lateness is
    taken as SPREAD_FACTOR times the recent spread above the least. Measured from the least, a constant offset
    between Dimelo's clock and this one cancels out."""
    if not base or recent is None:
        return base
    least, greatest = recent
    behind_least = 0.0 if lateness is None else lateness - least
    return max(base, min(SPREAD_FACTOR * (greatest - least) - behind_least, most))


def hold(event: events_pb2.Event, predecessor: KnownContent | None, window: float) -> tuple[str, float]:
    """Why the event waits, and for how long (seconds from its arrival), with an ordering window of `window` seconds:
    FIRST_IN_THREAD, PREDECESSOR_HERE (no wait), NO_EVIDENCE (the window), PREDECESSOR_MISSING (longer).
    `predecessor`: what is known here of the content its `in_reply_to_id` names (None: nothing)."""
    content = event.content
    if content.first_in_thread:
        return FIRST_IN_THREAD, 0.0
    if not content.in_reply_to_id:
        return NO_EVIDENCE, window
    if predecessor is None:
        return PREDECESSOR_MISSING, max(window, PREDECESSOR_MISSING_HOLD_SECONDS)
    return (PREDECESSOR_HERE, 0.0) if predecessor.customer else (NO_EVIDENCE, window)
