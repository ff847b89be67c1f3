"""Structured messages (`POST /1.0/contents` with `structured_content`), per the reference's structured-messages pages.

What each channel takes (the capability grid: "Yes" entries), what a reply may carry (`select`: items with a title
of at most 80 characters and an optional ASCII payload of at most 1000, at most 13 items; `template`: a title of at
most 350 characters and at most 4 buttons, `reply` ones with an optional payload, `url` ones with an http(s) url),
and the refusals: 422 for a payload that breaks these rules or a type the content's channel does not take.
"""

from typing import Any
from urllib.parse import urlsplit

from dimelo_sandbox.errors import ApiError

_MESSAGING = ("select", "rich_link", "template", "carousel")
# Source type -> the structured message types a reply on it may use (`capabilities_supported`).
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "engage_messaging": _MESSAGING,
    "facebook": _MESSAGING,
    "instagram": _MESSAGING,
    "google_business_messages": _MESSAGING,
    "channel_sdk": _MESSAGING,
    "apple_business_chat": ("select", "rich_link", "list", "time_select", "form", "apple_pay", "authenticate"),
    "whatsapp": ("template", "list"),
}
MAX_SELECT_ITEMS = 13
MAX_TEMPLATE_ITEMS = 4
MAX_ITEM_TITLE = 80
MAX_TEMPLATE_TITLE = 350
MAX_PAYLOAD = 1000
MAX_URL = 2048


def capabilities(source_type: str) -> list[str]:
    """What `capabilities_supported` says for contents of this source type; empty: plain text only."""
    return list(CAPABILITIES.get(source_type, ()))


def _invalid(why: str) -> ApiError:
    return ApiError(422, "invalid_structured_content", f"structured_content {why}")


def validated(structured: Any, source_type: str) -> dict[str, Any]:
    """The structured content as stored, or a 422 saying what is wrong with it or that the channel refuses it."""
    if not isinstance(structured, dict):
        raise _invalid("must be an object (send the request body as JSON)")
    kind = structured.get("type")
    if kind not in ("select", "template"):
        raise _invalid(f"type {kind!r} is not supported here: use 'select' or 'template'")
    if kind not in capabilities(source_type):
        raise ApiError(
            422, "structured_content_not_supported", f"a {source_type!r} source does not take {kind!r} messages"
        )
    items = structured.get("items")
    limit = MAX_SELECT_ITEMS if kind == "select" else MAX_TEMPLATE_ITEMS
    if not isinstance(items, list) or not items:
        raise _invalid("items must be a non-empty array")
    if len(items) > limit:
        raise _invalid(f"items: {len(items)} given, at most {limit} for {kind!r}")
    if kind == "template":
        title = structured.get("title")
        if not isinstance(title, str) or not title.strip():
            raise _invalid("title is mandatory for 'template'")
        if len(title) > MAX_TEMPLATE_TITLE:
            raise _invalid(f"title is longer than {MAX_TEMPLATE_TITLE} characters")
    return {**structured, "items": [_item(kind, index, item) for index, item in enumerate(items)]}


def _item(kind: str, index: int, item: Any) -> dict[str, Any]:
    where = f"items[{index}]"
    if not isinstance(item, dict):
        raise _invalid(f"{where} must be an object")
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _invalid(f"{where}.title is mandatory")
    if len(title) > MAX_ITEM_TITLE:
        raise _invalid(f"{where}.title is longer than {MAX_ITEM_TITLE} characters")
    payload = item.get("payload")
    if payload is not None and (not isinstance(payload, str) or not payload.isascii() or len(payload) > MAX_PAYLOAD):
        raise _invalid(f"{where}.payload must be ASCII text of at most {MAX_PAYLOAD} characters")
    if kind == "template":
        button = item.get("type")
        if button not in ("reply", "url"):
            raise _invalid(f"{where}.type must be 'reply' or 'url'")
        if button == "url" and not _http_url(item.get("url")):
            raise _invalid(f"{where}.url is mandatory for a 'url' button: an http or https url")
    return item


def _http_url(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_URL and urlsplit(value).scheme in ("http", "https")


def body_of(structured: dict[str, Any], body: str | None) -> str:
    """The text a channel without structured messages shows: the body, or a template's title."""
    return body or str(structured.get("title") or "")
