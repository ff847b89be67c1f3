"""Property tests: any mixture of Markdown and HTML becomes plain text Dimelo can show as is.

In: generated answers (tests/orchestrator/markup_documents.py). Out, for each: no tag, entity or Markdown markup;
the same words, entity characters and link targets in the same order; a line break wherever one was written or a
block ends; each link target in parentheses after its text. `FORMATTING_EXAMPLES` sets the budget (`make bench`
runs a larger one); the seed is fixed, so a run is repeatable.
"""

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings

from orchestrator.formatting import to_plain_text
from tests.orchestrator.markup_documents import NEWLINE, URL_PREFIX, Written, documents

EXAMPLES = int(os.environ.get("FORMATTING_EXAMPLES", "300"))
_LINK_TARGET = re.compile(r" ?\((" + re.escape(URL_PREFIX) + r"[a-z]+)\)")
_TOKEN = re.compile(re.escape(URL_PREFIX) + r"[a-z]+|[a-z]+|[&<>\"©€]|\n")
# What plain text may hold besides link targets: words, list numbers and bullets, the characters entities stand for.
_PLAIN = re.compile(r"[a-z0-9 \n&<>\"©€.\-]*")
_MARKUP = re.compile(r"<[a-zA-Z/!?]|&#?[a-zA-Z0-9]+;|--|^\d+\.\S", re.MULTILINE)


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(documents())
def test_any_mixture_reads_as_plain_text_with_words_breaks_and_links_kept(document: Written):
    plain = to_plain_text(document.text, 100_000)

    without_targets = _LINK_TARGET.sub("", plain)
    assert _PLAIN.fullmatch(without_targets), f"markup reached the customer: {plain!r}"
    assert not _MARKUP.search(without_targets), f"markup reached the customer: {plain!r}"
    seen = _TOKEN.findall(plain)
    assert [t for t in seen if t != NEWLINE] == [t for t in document.tokens if t != NEWLINE], plain
    assert _breaks(document.tokens) <= _breaks(tuple(seen)), f"a line break was lost: {plain!r}"
    assert len(_LINK_TARGET.findall(plain)) == sum(t.startswith(URL_PREFIX) for t in document.tokens)


def _breaks(tokens: tuple[str, ...]) -> set[int]:
    """The positions (in tokens other than line breaks) before which a line break stands."""
    positions, index = set(), 0
    for token in tokens:
        if token == NEWLINE:
            positions.add(index)
        else:
            index += 1
    return {p for p in positions if 0 < p < index}
