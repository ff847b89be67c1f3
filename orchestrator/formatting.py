"""Turns an AI answer (plain text, Markdown or HTML) into the plain text Dimelo accepts."""

import functools
import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MARKDOWN = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])
# CommonMark leaves the text of an HTML block raw, so Markdown written inside HTML would reach the customer: such a
# block is rendered once more as Markdown whose HTML is all inline (a line break in it is white space, as in HTML),
# except blocks whose text is literal (pre, script, style, textarea) or hidden (comments, declarations).
_IN_HTML = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).disable("html_block")
_LITERAL_BLOCK = re.compile(r"\s*<(pre|script|style|textarea)[\s>]|\s*<[!?]", re.IGNORECASE)


def _html_block(renderer: object, tokens: list[Token], idx: int, options: object, env: object) -> str:
    html = tokens[idx].content
    return html if _LITERAL_BLOCK.match(html) else _IN_HTML.render(html)


_MARKDOWN.add_render_rule("html_block", _html_block)
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
    }
)
_HIDDEN = frozenset({"script", "style", "head", "template"})
ELLIPSIS = "…"
# Answers rendered lately, kept: an FAQ's answers, the handover notice and choice titles repeat, and rendering one
# costs ~200 µs (an FAQ answer, measured), about 5 % of the orchestrator's CPU per answered message.
RENDERED_KEPT = 512


class _TextExtractor(HTMLParser):
    """Collects the visible text: blocks on their own lines, list items as "- ", links as "text (url)"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._preformatted = 0
        self._links: list[str] = []
        self._links_start = 0
        # One entry per open list: the next item's number in an ordered list, None in a bulleted one.
        self._lists: list[int | None] = []
        self._item_empty = False  # a list item has begun and shows no text yet: a block in it starts on its line

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self._preformatted += tag == "pre"
            if tag in ("ul", "ol"):
                start = dict(attrs).get("start") or "1"
                self._lists.append(int(start) if tag == "ol" and start.isdigit() else None)
            if not self._item_empty:
                self.parts.append("\n\n")
        elif tag == "li":
            self._item_empty = True
            number = self._lists[-1] if self._lists else None
            self.parts.append("\n- " if number is None else f"\n{number}. ")
            if number is not None:
                self._lists[-1] = number + 1
        elif tag in ("br", "tr"):
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self._links.append(dict(attrs).get("href") or "")
            self._links_start = len(self.parts)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self._preformatted = max(0, self._preformatted - (tag == "pre"))
            if tag in ("ul", "ol") and self._lists:
                self._lists.pop()
            self.parts.append("\n\n")
        elif tag == "a" and self._links:
            href = self._links.pop()
            text = "".join(self.parts[self._links_start :]).strip()
            if href and not href.startswith("#") and href != text:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._item_empty = self._item_empty and not data.strip()
            # Outside <pre>, line breaks in HTML text are spaces: the tags above make the real ones.
            self.parts.append(data if self._preformatted else re.sub(r"\s+", " ", data))


@functools.lru_cache(maxsize=RENDERED_KEPT)
def to_plain_text(answer: str, max_chars: int) -> str:
    """Markdown and HTML rendered to plain text, line breaks kept, at most `max_chars` characters."""
    extractor = _TextExtractor()
    extractor.feed(_MARKDOWN.render(answer))
    extractor.close()
    text = "".join(extractor.parts)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return _cap(text, max_chars)


def _cap(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - len(ELLIPSIS)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > max_chars // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS
