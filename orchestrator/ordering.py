"""How long a new event waits before it may be processed: only while an earlier event of its thread may still come.

Dimelo does not keep order, so an event is held (up to ORDERING_WINDOW_SECONDS) when nothing says its thread's
earlier events are all here. The content's metadata says so in two cases, and then the event goes at once:
- `first_in_thread`: nothing came before it in its thread;
- `in_reply_to_id` names a content already stored (an event we took in, a reply we posted) or in the same delivery:
  the content it follows is here, and the queue processes a thread's events in `issued_at` order.
"""

from collections.abc import Collection

from botbridge.events.v1 import events_pb2

FIRST_IN_THREAD, PREDECESSOR_HERE, NO_EVIDENCE = "first_in_thread", "predecessor_here", "no_evidence"
NOT_PENDING = ""  # an event that is not processed: nothing to hold


def evidence(event: events_pb2.Event, known_contents: Collection[str]) -> str:
    """Why the event may go at once (FIRST_IN_THREAD, PREDECESSOR_HERE), or NO_EVIDENCE: it is held."""
    content = event.content
    if content.first_in_thread:
        return FIRST_IN_THREAD
    if content.in_reply_to_id and content.in_reply_to_id in known_contents:
        return PREDECESSOR_HERE
    return NO_EVIDENCE
