"""The events the webhook must be registered for are named the same in the README, in deploy/README.md and in the
code that decides what the bot uses (orchestrator/intake_filter.py's WEBHOOK_EVENTS)."""

import re
from pathlib import Path

import pytest

from orchestrator.intake_filter import WEBHOOK_EVENTS

ROOT = Path(__file__).resolve().parent.parent
# Each document, and the words its list of events to register starts and ends between.
LISTS = {
    "README.md": ("Register the webhook for exactly these events", "Not `content.exported`"),
    "deploy/README.md": ("the events to register (", ";"),
}


@pytest.mark.parametrize("document", sorted(LISTS))
def test_the_documented_events_to_register_are_the_ones_the_bridge_uses(document: str) -> None:
    """In: the document's list of events to register. Out: exactly WEBHOOK_EVENTS, in its order."""
    start, end = LISTS[document]
    text = (ROOT / document).read_text(encoding="utf-8")
    listed = text[text.index(start) + len(start) :]
    listed = listed[: listed.index(end)]
    assert re.findall(r"`([a-z_]+\.[a-z_]+)`", listed) == list(WEBHOOK_EVENTS)
