"""Each RPC sends Dimelo the request its REST API documents and maps the answer into the proto."""

import asyncio

import grpc
import httpx
import pytest
from adapter_testkit import (
    TOKEN,
    FakeDimelo,
    adapter_settings,
    by_offset,
    content_json,
    form,
    intervention_json,
    page,
    thread_json,
)

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from dimelo_adapter.server import create_server


def assert_authenticated_by_header_only(request: httpx.Request) -> None:
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "access_token" not in request.url.params
    assert TOKEN not in str(request.url)


async def test_create_reply_posts_a_private_form_as_the_given_author(adapter, dimelo: FakeDimelo):
    """In: a private reply with an author. Out: one form POST /1.0/contents with private=1; the reply as a Content."""
    dimelo.answer("POST", "/1.0/contents", httpx.Response(201, json=content_json(private_message=True)))

    response = await adapter.CreateReply(
        dimelo_pb2.CreateReplyRequest(
            in_reply_to_id="c-customer", body="Hello, how can I help?", private_message=True, author_id="id-bot"
        )
    )

    [request] = dimelo.requests
    assert (request.method, request.url.path) == ("POST", "/1.0/contents")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form(request) == [
        ("in_reply_to_id", "c-customer"),
        ("body", "Hello, how can I help?"),
        ("private", "1"),
        ("author_id", "id-bot"),
    ]
    assert_authenticated_by_header_only(request)
    assert response.content.id == "c-reply"
    assert response.content.created_from == "api"
    assert response.content.private_message
    assert response.content.in_reply_to_id == "c-customer"
    assert response.opened_intervention_id == ""


async def test_create_reply_leaves_out_private_and_author_when_unset(adapter, dimelo: FakeDimelo):
    """In: a public reply without author. Out: only in_reply_to_id and body are sent."""
    dimelo.answer("POST", "/1.0/contents", httpx.Response(201, json=content_json()))

    await adapter.CreateReply(dimelo_pb2.CreateReplyRequest(in_reply_to_id="c-customer", body="Hi"))

    assert form(dimelo.requests[0]) == [("in_reply_to_id", "c-customer"), ("body", "Hi")]


def _bot_user(dimelo: FakeDimelo, user_id: str = "u-bot") -> None:
    dimelo.answer("GET", "/1.0/users/me", httpx.Response(200, json={"id": user_id, "firstname": "Bot"}))


async def test_find_reply_searches_the_thread_newest_first_and_stops_at_the_first_answering_page(
    adapter, dimelo: FakeDimelo
):
    """In: a thread whose newest 150 contents are other messages, the bot's reply on page 2. Out: q=thread:"t-1"
    (never thread_id), two pages asked for and no third, the reply of the bot's user (from /1.0/users/me) found;
    an agent's reply to the same content is passed over."""
    _bot_user(dimelo)
    newer = [content_json(id=f"c-{n}", created_from="synchronizer", creator_id=None) for n in range(150)]
    page_two = [
        content_json(id="c-agent-reply", creator_id="u-agent", created_from="interface"),
        content_json(id="c-bot-reply"),
        content_json(id="c-older-bot-reply"),
    ]
    dimelo.answer("GET", "/1.0/contents", by_offset({0: page(newer, 0, 400), 150: page(page_two, 150, 400)}))

    response = await adapter.FindReply(dimelo_pb2.FindReplyRequest(thread_id="t-1", in_reply_to_id="c-customer"))

    searches = [dict(request.url.params) for request in dimelo.requests if request.url.path == "/1.0/contents"]
    assert searches == [
        {"q": 'thread:"t-1"', "offset": "0", "limit": "150"},
        {"q": 'thread:"t-1"', "offset": "150", "limit": "150"},
    ]
    assert_authenticated_by_header_only(dimelo.requests[-1])
    assert response.content.id == "c-bot-reply"


async def test_find_reply_is_scoped_to_the_intervention_when_there_is_one(adapter, dimelo: FakeDimelo):
    """In: an intervention id. Out: q=intervention:"i-1" and the bot's reply from it."""
    _bot_user(dimelo)
    dimelo.answer("GET", "/1.0/contents", page([content_json(id="c-bot-reply")], 0, 1))

    response = await adapter.FindReply(
        dimelo_pb2.FindReplyRequest(thread_id="t-1", in_reply_to_id="c-customer", intervention_id="i-1")
    )

    assert dimelo.requests[-1].url.params["q"] == 'intervention:"i-1"'
    assert response.content.id == "c-bot-reply"


async def test_find_reply_stops_at_the_content_it_answers(adapter, dimelo: FakeDimelo):
    """In: newest first, the customer's content itself, then (older) a reply-looking content on the same page.
    Out: no reply, one search request: nothing older than the content can answer it; users/me read once for two
    calls."""
    _bot_user(dimelo)
    dimelo.answer(
        "GET",
        "/1.0/contents",
        page([content_json(id="c-customer", creator_id=None, in_reply_to_id=None), content_json(id="c-old")], 0, 999),
    )
    request = dimelo_pb2.FindReplyRequest(thread_id="t-1", in_reply_to_id="c-customer")

    first = await adapter.FindReply(request)
    second = await adapter.FindReply(request)

    assert not first.HasField("content") and not second.HasField("content")
    paths = [r.url.path for r in dimelo.requests]
    assert paths == ["/1.0/users/me", "/1.0/contents", "/1.0/contents"]


async def test_get_bot_user_reads_users_me_once(adapter, dimelo: FakeDimelo):
    """In: two GetBotUser calls. Out: the token's user id, from a single GET /1.0/users/me."""
    _bot_user(dimelo, "u-42")

    answers = [await adapter.GetBotUser(dimelo_pb2.GetBotUserRequest()) for _ in range(2)]

    assert [a.user_id for a in answers] == ["u-42", "u-42"]
    assert [r.url.path for r in dimelo.requests] == ["/1.0/users/me"]


async def test_open_intervention_posts_the_content_id(adapter, dimelo: FakeDimelo):
    """In: a content id. Out: form POST /1.0/interventions content_id=...; the intervention mapped."""
    dimelo.answer("POST", "/1.0/interventions", httpx.Response(200, json=intervention_json()))

    response = await adapter.OpenIntervention(dimelo_pb2.OpenInterventionRequest(content_id="c-customer"))

    [request] = dimelo.requests
    assert form(request) == [("content_id", "c-customer")]
    assert_authenticated_by_header_only(request)
    assert response.intervention == dimelo_pb2.Intervention(
        id="i-1", thread_id="t-1", content_id="c-customer", user_id="u-bot", closed=False
    )


async def test_close_intervention_puts_close_on_the_intervention(adapter, dimelo: FakeDimelo):
    """In: an intervention id. Out: PUT /1.0/interventions/:id/close; the closed intervention."""
    dimelo.answer("PUT", "/1.0/interventions/i-1/close", httpx.Response(200, json=intervention_json(closed=True)))

    response = await adapter.CloseIntervention(dimelo_pb2.CloseInterventionRequest(intervention_id="i-1"))

    assert [(r.method, r.url.path) for r in dimelo.requests] == [("PUT", "/1.0/interventions/i-1/close")]
    assert response.intervention.closed


async def test_close_thread_puts_close_and_returns_the_thread_as_dimelo_sent_it(adapter, dimelo: FakeDimelo):
    """In: a thread id. Out: PUT /1.0/content_threads/:id/close; the thread, `closed` still false (async job)."""
    dimelo.answer("PUT", "/1.0/content_threads/t-1/close", httpx.Response(200, json=thread_json()))

    response = await adapter.CloseThread(dimelo_pb2.CloseThreadRequest(thread_id="t-1"))

    assert [(r.method, r.url.path) for r in dimelo.requests] == [("PUT", "/1.0/content_threads/t-1/close")]
    assert response.thread == dimelo_pb2.Thread(
        id="t-1",
        source_id="s-chat",
        title="Modem issue",
        closed=False,
        thread_category_ids=["cat-bot"],
        category_ids=["cat-bot", "cat-other"],
    )


async def test_update_thread_categories_sends_each_category_with_brackets(adapter, dimelo: FakeDimelo):
    """In: two categories. Out: thread_category_ids[]=a&thread_category_ids[]=b in a form PUT."""
    dimelo.answer(
        "PUT",
        "/1.0/content_threads/t-1/update_categories",
        httpx.Response(200, json=thread_json(thread_category_ids=["cat-agents", "cat-vip"])),
    )

    response = await adapter.UpdateThreadCategories(
        dimelo_pb2.UpdateThreadCategoriesRequest(thread_id="t-1", category_ids=["cat-agents", "cat-vip"])
    )

    [request] = dimelo.requests
    assert request.method == "PUT"
    assert form(request) == [("thread_category_ids[]", "cat-agents"), ("thread_category_ids[]", "cat-vip")]
    assert list(response.thread.thread_category_ids) == ["cat-agents", "cat-vip"]


async def test_update_thread_categories_to_none_sends_one_empty_value(adapter, dimelo: FakeDimelo):
    """In: no categories. Out: `thread_category_ids[]=` (one empty value), which Dimelo reads as "clear them"."""
    dimelo.answer(
        "PUT",
        "/1.0/content_threads/t-1/update_categories",
        httpx.Response(200, json=thread_json(thread_category_ids=[])),
    )

    await adapter.UpdateThreadCategories(dimelo_pb2.UpdateThreadCategoriesRequest(thread_id="t-1"))

    assert form(dimelo.requests[0]) == [("thread_category_ids[]", "")]


async def test_agent_availability_counts_agents_on_the_channel_by_id(adapter, dimelo: FakeDimelo):
    """In: /status with five agents. Out: connected = status not null on the channel; available = also not full."""

    def agent(name: str, status: str | None, busyness: str | None) -> dict[str, object]:
        return {
            "agent_id": name,
            "channels": [
                {"id": "ch-other", "name": "Async", "status": "available", "busyness": "unoccupied"},
                {"id": "ch-chat", "name": "Realtime", "status": status, "busyness": busyness},
            ],
            "custom_status": None,
        }

    statuses = [
        agent("free", "available", "unoccupied"),
        agent("busy", "available", "busy"),
        agent("full", "available", "full"),
        agent("away", "away", "ok"),
        agent("offline", None, None),
        {"agent_id": "elsewhere", "channels": [{"id": "ch-other", "status": "available", "busyness": "ok"}]},
    ]
    dimelo.answer("GET", "/1.0/status", httpx.Response(200, json=statuses))

    response = await adapter.GetAgentAvailability(dimelo_pb2.GetAgentAvailabilityRequest(channel_id="ch-chat"))

    assert (response.available_agents, response.connected_agents) == (2, 4)
    assert_authenticated_by_header_only(dimelo.requests[0])


async def test_get_content_and_get_thread_read_one_object(adapter, dimelo: FakeDimelo):
    """In: a content id, then a thread id. Out: GET on each; the objects mapped."""
    dimelo.answer("GET", "/1.0/contents/c-customer", httpx.Response(200, json=content_json(id="c-customer")))
    dimelo.answer("GET", "/1.0/content_threads/t-1", httpx.Response(200, json=thread_json()))

    content = (await adapter.GetContent(dimelo_pb2.GetContentRequest(content_id="c-customer"))).content
    thread = (await adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="t-1"))).thread

    assert [(r.method, r.url.path) for r in dimelo.requests] == [
        ("GET", "/1.0/contents/c-customer"),
        ("GET", "/1.0/content_threads/t-1"),
    ]
    assert (content.id, content.thread_id, content.created_at.seconds) == ("c-customer", "t-1", 1716523244)
    assert thread.title == "Modem issue"


async def test_ids_are_escaped_into_the_path(adapter, dimelo: FakeDimelo):
    """In: a thread id holding '/' and '?'. Out: one path segment, no query added."""
    dimelo.answer("GET", "/1.0/content_threads/a/b?x=1", httpx.Response(200, json=thread_json()))

    await adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id="a/b?x=1"))

    [request] = dimelo.requests
    assert request.url.raw_path == b"/1.0/content_threads/a%2Fb%3Fx%3D1"
    assert not request.url.params


async def test_get_source_reads_its_channel_by_channel_id_once(adapter, dimelo: FakeDimelo):
    """In: a source with channel_id, asked for twice. Out: the source with its channel's id and name; the channel
    read once (GET /1.0/channels/ch-chat), no channel listing."""
    dimelo.answer(
        "GET",
        "/1.0/content_sources/s-chat",
        httpx.Response(
            200, json={"id": "s-chat", "name": "Web chat", "type": "engage_messaging", "channel_id": "ch-chat"}
        ),
    )
    dimelo.answer("GET", "/1.0/channels/ch-chat", httpx.Response(200, json={"id": "ch-chat", "name": "Realtime"}))

    for _ in range(2):
        response = await adapter.GetSource(dimelo_pb2.GetSourceRequest(source_id="s-chat"))

    assert response.source == dimelo_pb2.Source(
        id="s-chat", name="Web chat", type="engage_messaging", channel_id="ch-chat", channel_name="Realtime"
    )
    assert [r.url.path for r in dimelo.requests].count("/1.0/channels/ch-chat") == 1


async def test_get_source_without_a_channel_leaves_the_channel_empty(adapter, dimelo: FakeDimelo):
    """In: a source without channel_id. Out: the source with empty channel_id and channel_name, one request."""
    lonely = httpx.Response(200, json={"id": "s-lonely", "name": "Lonely"})
    dimelo.answer("GET", "/1.0/content_sources/s-lonely", lonely)

    response = await adapter.GetSource(dimelo_pb2.GetSourceRequest(source_id="s-lonely"))

    assert (response.source.id, response.source.channel_id, response.source.channel_name) == ("s-lonely", "", "")
    assert len(dimelo.requests) == 1


@pytest.mark.parametrize(("seconds", "requests"), [(5.0, 1), (0.0, 2)])
async def test_agent_statuses_are_read_once_for_a_few_seconds(dimelo, seconds, requests):
    """In: availability asked on two channels, one after the other, with /1.0/status reused for 5 s (or 0 s).
    Out: one GET /1.0/status (with 0 s: two); each channel's count from the same statuses."""
    statuses = [{"agent_id": "a1", "channels": [{"id": "ch-chat", "status": "available", "busyness": "ok"}]}]
    dimelo.answer("GET", "/1.0/status", httpx.Response(200, json=statuses))
    server = await create_server(
        adapter_settings(dimelo_agent_status_seconds=seconds), httpx.MockTransport(dimelo.handle)
    )
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = dimelo_pb2_grpc.DimeloServiceStub(channel)
        answers = [
            await stub.GetAgentAvailability(dimelo_pb2.GetAgentAvailabilityRequest(channel_id=channel_id))
            for channel_id in ("ch-chat", "ch-other")
        ]
    await server.stop(0)
    assert [a.available_agents for a in answers] == [1, 0]
    assert len(dimelo.requests) == requests


async def test_a_note_on_an_intervention_the_adapter_opened_needs_no_read_of_it(adapter, dimelo: FakeDimelo):
    """In: OpenIntervention (Dimelo answers i-1 owned by u-bot), then a note on i-1, then one on i-9 it did not open.
    Out: the note on i-1 is posted as u-bot without reading i-1; i-9 is read first (its owner u-agent) and the note
    posted as u-agent."""
    dimelo.answer("POST", "/1.0/interventions", httpx.Response(200, json=intervention_json()))
    dimelo.answer(
        "GET", "/1.0/interventions/i-9", httpx.Response(200, json=intervention_json(id="i-9", user_id="u-agent"))
    )
    dimelo.answer("POST", "/1.0/intervention_comments", httpx.Response(200, json={"id": "cm-1", "body": "note"}))

    await adapter.OpenIntervention(dimelo_pb2.OpenInterventionRequest(content_id="c-customer"))
    for intervention_id in ("i-1", "i-9"):
        await adapter.CreateInterventionComment(
            dimelo_pb2.CreateInterventionCommentRequest(intervention_id=intervention_id, body="note")
        )

    assert [(r.method, r.url.path) for r in dimelo.requests] == [
        ("POST", "/1.0/interventions"),
        ("POST", "/1.0/intervention_comments"),
        ("GET", "/1.0/interventions/i-9"),
        ("POST", "/1.0/intervention_comments"),
    ]
    assert [dict(form(r))["user_id"] for r in dimelo.requests if r.url.path == "/1.0/intervention_comments"] == [
        "u-bot",
        "u-agent",
    ]


async def test_concurrent_reads_of_one_source_share_one_request(dimelo: FakeDimelo):
    """In: five GetSource calls for one source at once, Dimelo taking a moment to answer, then one more once they
    are answered. Out: the five share one GET of the source (and one of its channel); the later call reads the
    source again (the caller keeps sources), never the channel."""
    source = {"id": "s-chat", "name": "Chat", "channel_id": "ch-chat"}
    dimelo.answer("GET", "/1.0/content_sources/s-chat", httpx.Response(200, json=source))
    dimelo.answer("GET", "/1.0/channels/ch-chat", httpx.Response(200, json={"id": "ch-chat", "name": "Realtime"}))

    async def slow_dimelo(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.2)  # not a timing assertion: only so that the five calls meet
        return dimelo.handle(request)

    server = await create_server(adapter_settings(), httpx.MockTransport(slow_dimelo))
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = dimelo_pb2_grpc.DimeloServiceStub(channel)
        request = dimelo_pb2.GetSourceRequest(source_id="s-chat")
        answers = list(await asyncio.gather(*(stub.GetSource(request) for _ in range(5))))
        answers.append(await stub.GetSource(request))
    await server.stop(0)

    assert {a.source.channel_id for a in answers} == {"ch-chat"}
    assert [r.url.path for r in dimelo.requests] == [
        "/1.0/content_sources/s-chat",
        "/1.0/channels/ch-chat",
        "/1.0/content_sources/s-chat",
    ]
