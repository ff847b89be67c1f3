"""AI answers become the plain text Dimelo shows as is: what goes in, what must come out."""

import pytest

from orchestrator.formatting import to_plain_text


@pytest.mark.parametrize(
    ("answer", "plain"),
    [
        ("Plain text stays.\nLine breaks too.", "Plain text stays.\nLine breaks too."),
        ("We open **9am** to *6pm*.", "We open 9am to 6pm."),
        ("Steps:\n\n1. Open *My orders*\n2. Print the label", "Steps:\n\n1. Open My orders\n2. Print the label"),
        ("- cards\n- PayPal", "- cards\n- PayPal"),
        ("See [our page](https://shop.test/returns).", "See our page (https://shop.test/returns)."),
        ("<p>Hello</p><p>World<br>again</p>", "Hello\n\nWorld\nagain"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("Hi <script>alert('x')</script><style>p{}</style>there", "Hi there"),
        ("Fish &amp; chips &lt;3", "Fish & chips <3"),
        ("1 < 2 and a_b_c * d", "1 < 2 and a_b_c * d"),
        ("# Title\n\nBody", "Title\n\nBody"),
        ("```\ncode line\n```", "code line"),
        # Markdown inside an HTML block, which CommonMark leaves raw, and HTML blocks inside Markdown lists.
        ("<p>We open **9am** to _6pm_</p>", "We open 9am to 6pm"),
        ("<div>\n# Title\n- item\n</div>", "Title\n\n- item"),
        ("- <p>one *a*</p>\n- two", "- one a\n\n- two"),
        ("| a | b |\n| --- | --- |\n| c | ~~d~~ |", "a b\nc d"),
        ("<table>\n<tr><td>*x*</td><td>y</td></tr>\n</table>", "x y"),
        ("<pre>\n**literal** < y\n</pre>", "**literal** < y"),
        ("Fish &amp;amp; chips", "Fish &amp; chips"),
    ],
)
def test_markdown_and_html_become_plain_text(answer, plain):
    assert to_plain_text(answer, 2000) == plain


def test_a_long_answer_is_cut_at_a_word_boundary_with_an_ellipsis():
    text = to_plain_text("word " * 100, 42)

    assert len(text) <= 42
    assert text.endswith("word…")


def test_markup_only_gives_empty_text():
    assert to_plain_text("<br><p></p>", 100) == ""


def test_an_answer_given_again_is_not_rendered_again():
    """In: the same FAQ answer formatted twice with the same limit, then with another limit. Out: the second time
    comes from the kept renderings (a hit) and is the same text; the other limit is rendered on its own."""
    answer = "Returns are **free** within 30 days: see [returns](https://shop.test/returns)."
    first = to_plain_text(answer, 1000)
    hits = to_plain_text.cache_info().hits
    assert to_plain_text(answer, 1000) == first
    assert to_plain_text.cache_info().hits == hits + 1
    assert to_plain_text(answer, 20) == "Returns are free…"
