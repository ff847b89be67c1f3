"""Choices the AI offers with an answer: shown as Dimelo structured messages where the channel takes them, else as
a numbered list; and the customer's next message read back as the pick, when it is one."""

import re
from collections.abc import Sequence

from botbridge.ai.v1 import ai_pb2
from botbridge.dimelo.v1 import dimelo_pb2
from orchestrator.formatting import to_plain_text
from orchestrator.store import HistoryMessage, Store

MAX_CHOICES = 13  # a `select`'s limit
MAX_BUTTONS = 4  # a `template`'s limit
MAX_TITLE_CHARS = 80
MAX_TEMPLATE_TITLE_CHARS = 350
MAX_PAYLOAD_CHARS = 1000
_NUMBER = re.compile(r"\s*(\d{1,2})\s*[.)]?\s*")

Choice = dict[str, str]  # {"title", "payload", "url"}, as journaled


def from_answer(answer: ai_pb2.Answer) -> tuple[Choice, ...]:
    """The AI's choices as the customer will see them: plain-text titles of at most 80 characters, at most 13;
    a payload that Dimelo would refuse (not ASCII, too long) and a url that is not http(s) are dropped."""
    choices = []
    for choice in answer.choices[:MAX_CHOICES]:
        title = to_plain_text(choice.title, MAX_TITLE_CHARS).replace("\n", " ")
        if not title:
            continue
        payload = choice.payload if choice.payload.isascii() and len(choice.payload) <= MAX_PAYLOAD_CHARS else ""
        url = choice.url if re.match(r"https?://\S+$", choice.url) else ""
        choices.append({"title": title, "payload": payload, "url": url})
    return tuple(choices)


def reply_form(
    text: str, choices: Sequence[Choice], capabilities: Sequence[str], max_chars: int
) -> tuple[str, dimelo_pb2.StructuredContent | None]:
    """The reply's text and structured content: a `select` when the channel takes it (and no choice is a link), a
    `template` (buttons) when it takes that and the choices fit, else the text with the choices as a numbered list."""
    if not choices:
        return text, None
    links = any(c["url"] for c in choices)
    fits_template = len(choices) <= MAX_BUTTONS and len(text) <= MAX_TEMPLATE_TITLE_CHARS
    if "select" in capabilities and not links:
        return text, _structured("select", choices)
    if "template" in capabilities and fits_template:
        return text, _structured("template", choices)
    return numbered(text, choices, max_chars), None


def numbered(text: str, choices: Sequence[Choice], max_chars: int) -> str:
    """The text, then "1. title" per choice (a link's target in parentheses), within `max_chars`."""
    lines = "\n".join(
        f"{number}. {c['title']}" + (f" ({c['url']})" if c["url"] else "") for number, c in enumerate(choices, 1)
    )
    room = max_chars - len(lines) - 2
    if room < 1:
        return to_plain_text(text, max_chars)
    return f"{to_plain_text(text, room)}\n\n{lines}"


def _structured(kind: str, choices: Sequence[Choice]) -> dimelo_pb2.StructuredContent:
    items = [dimelo_pb2.StructuredItem(title=c["title"], payload=c["payload"], url=c["url"]) for c in choices]
    return dimelo_pb2.StructuredContent(type=kind, items=items)


async def offered_before(store: Store, earlier: Sequence[HistoryMessage]) -> tuple[Choice, ...]:
    """The choices offered with the bot's last reply in `earlier` (oldest first), read from the journal of the
    customer message it answered; none when the last bot message offered none."""
    for index in range(len(earlier) - 1, 0, -1):
        if earlier[index].author != "bot":
            continue
        answered = earlier[index - 1]
        journal = await store.journal(answered.content_id)
        if journal.get("posted", {}).get("reply_id") != earlier[index].content_id:
            return ()
        return tuple(journal.get("decision", {}).get("choices") or ())
    return ()


def picked(body: str, offered: Sequence[Choice]) -> Choice | None:
    """The offered choice the customer's message picks: its title (as a tapped quick reply sends it), or its
    number in the list; None when it is anything else."""
    wanted = " ".join(body.split()).casefold()
    for choice in offered:
        if wanted == choice["title"].casefold():
            return choice
    number = _NUMBER.fullmatch(body)
    if number and 1 <= int(number.group(1)) <= len(offered):
        return offered[int(number.group(1)) - 1]
    return None
