"""The `q` search parameter of contents and threads: `keyword:"value"` terms, bare words searched in the text.

`q=thread:"5f2a…" order:created_at.asc` — values may be quoted or not; a keyword given several times matches any
of its values; `text` (the default keyword) matches words of the body. A keyword the endpoint does not know, and
negation (`-keyword:`), are refused with 400 (the real API's answer is undocumented: see docs/sandbox.md).
"""

import re
from dataclasses import dataclass, field

from dimelo_sandbox.errors import invalid_parameter

_TERM = re.compile(r'(?:(\w+):)?(?:"([^"]*)"|(\S+))')


@dataclass
class Query:
    """The parsed `q`: each keyword's values, the order, and the words to find in the text."""

    terms: dict[str, list[str]] = field(default_factory=dict)
    order: str | None = None
    words: list[str] = field(default_factory=list)


def parse_query(q: str | None, keywords: frozenset[str], orders: frozenset[str]) -> Query:
    """`keywords` the endpoint filters on, `orders` the values `order:` may take; 400 on anything else."""
    query = Query()
    for match in _TERM.finditer(q or ""):
        keyword, quoted, bare = match.groups()
        value = quoted if quoted is not None else bare
        if keyword is None and value.startswith("-") and ":" in value:
            raise invalid_parameter("q", "negated keywords are not supported by the sandbox")
        if keyword in (None, "text"):
            query.words.append(value.lower())
        elif keyword == "order":
            if value not in orders:
                raise invalid_parameter("q", f"order must be one of {', '.join(sorted(orders))}")
            query.order = value
        elif keyword in keywords:
            query.terms.setdefault(keyword, []).append(value)
        else:
            raise invalid_parameter("q", f"unknown keyword {keyword!r}; known: {', '.join(sorted(keywords))}, order")
    return query
