"""Hypothesis strategies for AI answers mixing Markdown and HTML, nested either way, with what each must read as.

A document is a tree of nodes. Each node is written in Markdown or in HTML (drawn per node), so Markdown sits
inside HTML and HTML inside Markdown, block and inline. Beside the text, a node gives the tokens a reader must see
in order: words, the characters entities stand for, link targets, and NEWLINE where a line break is due.
"""

from dataclasses import dataclass

from hypothesis import strategies as st

NEWLINE = "\n"
URL_PREFIX = "https://example.test/"
# Entity -> the character a reader sees (None: white space only).
ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&copy;": "©", "&#8364;": "€", "&nbsp;": None}
_MD_EMPHASIS = ("*", "_", "**", "__", "~~")
_HTML_EMPHASIS = ("em", "i", "strong", "b", "del", "s", "span", "u")


@dataclass(frozen=True)
class Written:
    """A node as written in the answer, and the tokens a reader must see from it."""

    text: str
    tokens: tuple[str, ...]


def _join(parts: list[Written], separator: str) -> Written:
    return Written(separator.join(p.text for p in parts), tuple(t for p in parts for t in p.tokens))


words = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=7)
# Strategies are built once, here: building them inside each draw is what makes generation slow.
_WORD = words.map(lambda word: Written(word, (word,)))
_ENTITY = st.sampled_from(sorted(ENTITIES)).map(lambda e: Written(e, () if ENTITIES[e] is None else (ENTITIES[e],)))
_CODE = st.tuples(st.lists(words, min_size=1, max_size=3).map(" ".join), st.booleans()).map(
    lambda c: Written(f"`{c[0]}`" if c[1] else f"<code>{c[0]}</code>", tuple(c[0].split()))
)
_MARKS = st.one_of(
    st.sampled_from(_MD_EMPHASIS).map(lambda m: (m, m)),
    st.sampled_from(_HTML_EMPHASIS).map(lambda t: (f"<{t}>", f"</{t}>")),
)


def _bounded(children: st.SearchStrategy[Written]) -> st.SearchStrategy[Written]:
    """Children between two words, so that Markdown delimiters around them stay valid."""
    return st.tuples(_WORD, st.lists(children, max_size=2), _WORD).map(lambda p: _join([p[0], *p[1], p[2]], " "))


def _emphasis(children: st.SearchStrategy[Written]) -> st.SearchStrategy[Written]:
    return st.tuples(_MARKS, _bounded(children)).map(lambda p: Written(p[0][0] + p[1].text + p[0][1], p[1].tokens))


def _link(text: Written, url: str, markdown: bool) -> Written:
    written = f"[{text.text}]({url})" if markdown else f'<a href="{url}">{text.text}</a>'
    return Written(written, (*text.tokens, url))


_LEAVES = st.one_of(_WORD, _WORD, _ENTITY, _CODE)
# Link text: anything inline but another link (neither Markdown nor HTML nests links).
_LINKS = st.builds(
    _link, _bounded(st.recursive(_LEAVES, _emphasis, max_leaves=3)), words.map(lambda w: URL_PREFIX + w), st.booleans()
)

# Phrasing content without line breaks: words, entities, code, emphasis and links nested either way.
phrasing = st.recursive(_LEAVES, lambda children: st.one_of(_emphasis(children), _LINKS), max_leaves=4)
# One line of phrasing, starting with a word (so it never reads as a block marker).
_LINE = st.tuples(_WORD, st.lists(phrasing, max_size=2)).map(lambda p: _join([p[0], *p[1]], " "))


@st.composite
def _lines(draw, raw_html: bool) -> Written:
    """Phrasing over one or more lines; inside raw HTML a line break must be a tag or a Markdown hard break."""
    lines = draw(st.lists(_LINE, min_size=1, max_size=2))
    breaks = ["<br>", "<br/>", "  \n", "\\\n"] if raw_html else ["\n", "<br>", "  \n"]
    text = lines[0].text
    tokens = list(lines[0].tokens)
    for line in lines[1:]:
        text += draw(st.sampled_from(breaks)) + line.text
        tokens += [NEWLINE, *line.tokens]
    return Written(text, tuple(tokens))


_MD_LINES, _HTML_LINES = _lines(raw_html=False), _lines(raw_html=True)


@st.composite
def paragraph(draw) -> Written:
    if draw(st.booleans()):
        return draw(_MD_LINES)
    inner = draw(_HTML_LINES)
    tag = draw(st.sampled_from(["p", "div"]))
    return Written(f"<{tag}>{inner.text}</{tag}>", inner.tokens)


@st.composite
def heading(draw) -> Written:
    level = draw(st.integers(1, 6))
    inner = draw(_LINE)
    if draw(st.booleans()):
        return Written("#" * level + " " + inner.text, inner.tokens)
    return Written(f"<h{level}>{inner.text}</h{level}>", inner.tokens)


@st.composite
def bullet_list(draw) -> Written:
    ordered, markdown = draw(st.booleans()), draw(st.booleans())
    items = draw(st.lists(_HTML_LINES if not markdown else _MD_LINES, min_size=1, max_size=3))
    tokens = _join(items, "").tokens if len(items) == 1 else _with_newlines(items)
    if markdown:
        marker, indent = ("1. ", "   ") if ordered else ("- ", "  ")
        return Written("\n".join(marker + i.text.replace("\n", "\n" + indent) for i in items), tokens)
    tag = "ol" if ordered else "ul"
    return Written(f"<{tag}>" + "".join(f"<li>{i.text}</li>" for i in items) + f"</{tag}>", tokens)


@st.composite
def code_block(draw) -> Written:
    lines = draw(st.lists(st.lists(words, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=3))
    tokens = _with_newlines([Written(line, tuple(line.split())) for line in lines])
    body = "\n".join(lines)
    return Written(f"```\n{body}\n```" if draw(st.booleans()) else f"<pre><code>{body}</code></pre>", tokens)


@st.composite
def table(draw) -> Written:
    width = draw(st.integers(1, 3))
    rows = draw(st.lists(st.lists(_LINE, min_size=width, max_size=width), min_size=2, max_size=3))
    tokens = _with_newlines([_join(row, " ") for row in rows])
    if draw(st.booleans()):
        lines = ["| " + " | ".join(cell.text for cell in row) + " |" for row in rows]
        lines.insert(1, "|" + " --- |" * width)
        return Written("\n".join(lines), tokens)
    cells = ["<tr>" + "".join(f"<td>{cell.text}</td>" for cell in row) + "</tr>" for row in rows]
    return Written("<table>" + "".join(cells) + "</table>", tokens)


def _with_newlines(parts: list[Written]) -> tuple[str, ...]:
    tokens: list[str] = []
    for part in parts:
        tokens += [NEWLINE, *part.tokens] if tokens else list(part.tokens)
    return tuple(tokens)


def _containers(children: st.SearchStrategy[Written]) -> st.SearchStrategy[Written]:
    """Blocks holding blocks: a Markdown quote, or an HTML element around Markdown (blank lines, as CommonMark
    asks) or around HTML."""

    @st.composite
    def container(draw) -> Written:
        blocks = draw(st.lists(children, min_size=1, max_size=2))
        tokens = _with_newlines(blocks)
        kind = draw(st.sampled_from(["quote", "html"]))
        if kind == "quote":
            text = "\n\n".join(b.text for b in blocks)
            return Written("\n".join("> " + line if line else ">" for line in text.split("\n")), tokens)
        tag = draw(st.sampled_from(["div", "blockquote", "section"]))
        return Written(f"<{tag}>\n\n" + "\n\n".join(b.text for b in blocks) + f"\n\n</{tag}>", tokens)

    return container()


leaf_blocks = st.one_of(paragraph(), heading(), bullet_list(), code_block(), table())
blocks = st.recursive(leaf_blocks, _containers, max_leaves=3)


@st.composite
def documents(draw) -> Written:
    """An answer of one or more blocks, separated by blank lines."""
    parts = draw(st.lists(blocks, min_size=1, max_size=3))
    return Written("\n\n".join(p.text for p in parts), _with_newlines(parts))
