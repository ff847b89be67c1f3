"""The orchestrator's thread page (`GET /threads/THREAD_ID` on its metrics port, orchestrator/thread_page.py), read
by the process-stack tests to learn what became of the events rather than reading its database."""

import re
from dataclasses import dataclass

import httpx

# An event's line (orchestrator/conversation_view.py): time, type, event id, content id if any, how late it came if
# known, and its fate: "pending after ...", "DEAD LETTER after ...", or the outcome followed by " (done ...)".
_EVENT_LINE = re.compile(
    r"^  \S+ \S+  (?P<type>\S+)\s+event \S+(?: content (?P<content>\S+))?(?: \(came [^)]*\))?: (?P<fate>.*)$",
    re.MULTILINE,
)
_DONE = re.compile(r" \(done[^)]*\)$")


@dataclass(frozen=True)
class EventFate:
    type: str
    content_id: str
    # The outcome once done ("answered", "ignored: ..."), else "pending after ..." or "DEAD LETTER after ...".
    fate: str

    @property
    def pending(self) -> bool:
        return self.fate.startswith("pending")


def page(metrics_url: str, thread_id: str) -> str:
    """The thread's page, as the orchestrator at `metrics_url` shows it (raises httpx.HTTPError when it does not)."""
    answer = httpx.get(f"{metrics_url.removesuffix('/metrics')}/threads/{thread_id}", timeout=5)
    answer.raise_for_status()
    return answer.text


def event_fates(metrics_url: str, thread_id: str) -> list[EventFate]:
    """The thread's events in the page's order, as the orchestrator at `metrics_url` shows them."""
    return [
        EventFate(line["type"], line["content"] or "", _DONE.sub("", line["fate"]))
        for line in _EVENT_LINE.finditer(page(metrics_url, thread_id))
    ]
