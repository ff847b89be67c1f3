"""Structured messages on POST /1.0/contents (JSON body with `structured_content`), per the reference."""

import pytest
from sandbox_testing import BOT


async def _reply(sandbox, content_id: str, structured: dict, body: str | None = "Which one?"):
    payload = {"in_reply_to_id": content_id, "structured_content": structured}
    if body is not None:
        payload["body"] = body
    return await sandbox.http.post("/1.0/contents", json=payload, headers=BOT)


def _select(count: int, title: str = "Option") -> dict:
    return {"type": "select", "items": [{"title": f"{title} {i}", "payload": f"opt_{i}"} for i in range(count)]}


async def _customer_on(sandbox, source_type: str) -> dict:
    source = (
        await sandbox.http.post("/_sandbox/sources", json={"name": f"A {source_type}", "type": source_type})
    ).json()
    return await sandbox.customer_says(source_id=source["id"])


async def test_a_select_reply_is_stored_with_its_items_and_the_customer_content_says_what_it_takes(sandbox, receiver):
    # In: a customer message on the default (RingCX messaging) source; a select reply with 13 items, titles of 80.
    # Out: capabilities_supported lists select and template on the customer's content; the reply is created with
    # its structured_content and its body.
    message = await sandbox.customer_says()
    customer = (await sandbox.http.get(f"/1.0/contents/{message['content']['id']}", headers=BOT)).json()
    structured = _select(13, "x" * 70)

    answer = await _reply(sandbox, message["content"]["id"], structured)

    assert {"select", "template"} <= set(customer["capabilities_supported"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["structured_content"]["items"] == structured["items"]
    assert answer.json()["body"] == "Which one?"


async def test_a_template_without_body_shows_its_title(sandbox):
    # In: a template with a url button and a reply button, no body. Out: created; its body is the template's title.
    message = await sandbox.customer_says()
    template = {
        "type": "template",
        "title": "Our returns page",
        "items": [
            {"type": "url", "title": "Open", "url": "https://shop.test/returns"},
            {"type": "reply", "title": "Ok"},
        ],
    }

    answer = await _reply(sandbox, message["content"]["id"], template, body=None)

    assert answer.status_code == 200, answer.text
    assert answer.json()["body"] == "Our returns page"


@pytest.mark.parametrize(
    ("structured", "why"),
    [
        (_select(14), "at most 13"),
        ({"type": "select", "items": [{"title": "x" * 81}]}, "longer than 80"),
        ({"type": "select", "items": [{"title": "ok", "payload": "café"}]}, "ASCII"),
        ({"type": "select", "items": []}, "non-empty"),
        ({"type": "carousel", "items": [{"title": "a"}]}, "'select' or 'template'"),
        ({"type": "template", "title": "t", "items": [{"type": "url", "title": "go", "url": "ftp://x"}]}, "http"),
        (
            {"type": "template", "title": "t", "items": [{"type": "reply", "title": str(i)} for i in range(5)]},
            "at most 4",
        ),
    ],
)
async def test_structured_contents_that_break_the_reference_are_refused_with_422(sandbox, structured, why):
    message = await sandbox.customer_says()
    answer = await _reply(sandbox, message["content"]["id"], structured)
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_structured_content", answer.text
    assert why in answer.json()["message"]


async def test_a_channel_without_structured_messages_refuses_them_and_says_so_in_its_contents(sandbox):
    # In: a customer on a Twitter source (no structured messages), then WhatsApp (templates, no select).
    # Out: capabilities_supported empty / template only; a select is refused with 422 structured_content_not_supported.
    twitter = await _customer_on(sandbox, "twitter")
    whatsapp = await _customer_on(sandbox, "whatsapp")
    seen = [
        (await sandbox.http.get(f"/1.0/contents/{m['content']['id']}", headers=BOT)).json() for m in (twitter, whatsapp)
    ]

    refused = [await _reply(sandbox, m["content"]["id"], _select(2)) for m in (twitter, whatsapp)]

    assert [c["capabilities_supported"] for c in seen] == [[], ["template", "list"]]
    assert [(r.status_code, r.json()["error"]) for r in refused] == [(422, "structured_content_not_supported")] * 2
