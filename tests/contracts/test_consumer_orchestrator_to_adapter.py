"""Consumer contract, orchestrator -> Dimelo adapter: what orchestrator/conversation.py and source_directory.py
rely on from DimeloService, written once and run over gRPC against the real adapter wired to the Dimelo sandbox.

Each expectation starts from a fresh customer message in a new thread of the sandbox's default world (one chat
source on one channel, three available agents, a bot and an agent category).
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

import grpc
import httpx
import pytest

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from orchestrator.conversation import CLOSE_REFUSALS_TOLERATED, MAY_STILL_LAND
from orchestrator.errors import TRANSIENT_CODES
from service_kit.rich_errors import DIMELO_ADAPTER
from tests.inprocess_stack import start_sandbox_and_adapter

TIMEOUT_SECONDS = 10.0


@dataclass
class Dimelo:
    """The adapter's stub, the sandbox's control API, and the customer message each expectation starts from."""

    adapter: dimelo_pb2_grpc.DimeloServiceStub
    sandbox: httpx.AsyncClient
    world: dict
    content: dict

    @property
    def content_id(self) -> str:
        return self.content["id"]

    @property
    def thread_id(self) -> str:
        return self.content["thread_id"]

    async def reply(self) -> dimelo_pb2.CreateReplyResponse:
        """The bot's reply as the orchestrator posts it."""
        request = dimelo_pb2.CreateReplyRequest(
            in_reply_to_id=self.content_id, body="We are open 9 to 6.", open_intervention_if_required=True
        )
        return await self.adapter.CreateReply(request, timeout=TIMEOUT_SECONDS)


async def failure(call: Awaitable[object]) -> grpc.aio.AioRpcError:
    """The error a call fails with; fails the test if it succeeds."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def source_names_its_channel(dimelo: Dimelo) -> None:
    """GetSource: the customer's source comes with the id of the channel holding it (agents are counted there)."""
    response = await dimelo.adapter.GetSource(
        dimelo_pb2.GetSourceRequest(source_id=dimelo.content["source_id"]), timeout=TIMEOUT_SECONDS
    )
    assert response.source.channel_id == dimelo.world["channels"][0]["id"]


async def available_agents_are_counted(dimelo: Dimelo) -> None:
    """GetAgentAvailability: the channel's available agents (0 means "no agent" to the orchestrator)."""
    request = dimelo_pb2.GetAgentAvailabilityRequest(channel_id=dimelo.world["channels"][0]["id"])
    response = await dimelo.adapter.GetAgentAvailability(request, timeout=TIMEOUT_SECONDS)
    assert response.available_agents == len(dimelo.world["agents"])


async def thread_shows_its_categories(dimelo: Dimelo) -> None:
    """GetThread: the thread's own categories, where the orchestrator looks for a bot category."""
    response = await dimelo.adapter.GetThread(
        dimelo_pb2.GetThreadRequest(thread_id=dimelo.thread_id), timeout=TIMEOUT_SECONDS
    )
    assert set(response.thread.thread_category_ids) & set(dimelo.world["bot_category_ids"])


async def opened_intervention_has_an_id(dimelo: Dimelo) -> None:
    """OpenIntervention: the intervention's id, which the orchestrator keeps to close it later."""
    request = dimelo_pb2.OpenInterventionRequest(content_id=dimelo.content_id)
    response = await dimelo.adapter.OpenIntervention(request, timeout=TIMEOUT_SECONDS)
    assert response.intervention.id


async def second_open_returns_the_open_one(dimelo: Dimelo) -> None:
    """OpenIntervention when one is open already (Dimelo's 422): the open intervention, whose id the orchestrator
    keeps so that it closes it later."""
    request = dimelo_pb2.OpenInterventionRequest(content_id=dimelo.content_id)
    first = await dimelo.adapter.OpenIntervention(request, timeout=TIMEOUT_SECONDS)
    second = await dimelo.adapter.OpenIntervention(request, timeout=TIMEOUT_SECONDS)
    assert second.intervention.id == first.intervention.id and not second.intervention.closed


async def reply_has_an_id(dimelo: Dimelo) -> None:
    """CreateReply: the posted reply's id (journaled, and kept as a bot message); no intervention opened when the
    source does not require one."""
    response = await dimelo.reply()
    assert response.content.id
    assert response.opened_intervention_id == ""


async def reply_opens_the_intervention_it_needs(dimelo: Dimelo) -> None:
    """CreateReply with open_intervention_if_required, on a source that requires an intervention: the reply is
    posted and the opened intervention's id comes back (the orchestrator closes it later)."""
    source_id = dimelo.content["source_id"]
    await dimelo.sandbox.patch(f"/_sandbox/sources/{source_id}", json={"require_intervention_for_reply": True})
    response = await dimelo.reply()
    assert response.content.id
    assert response.opened_intervention_id


async def reply_is_found_once_posted(dimelo: Dimelo) -> None:
    """FindReply: nothing before the bot replied, the reply after (how a lost answer is never posted twice)."""
    request = dimelo_pb2.FindReplyRequest(thread_id=dimelo.thread_id, in_reply_to_id=dimelo.content_id)
    before = await dimelo.adapter.FindReply(request, timeout=TIMEOUT_SECONDS)
    posted = await dimelo.reply()
    after = await dimelo.adapter.FindReply(request, timeout=TIMEOUT_SECONDS)
    assert not before.HasField("content")
    assert after.content.id == posted.content.id


async def reply_is_found_in_its_intervention(dimelo: Dimelo) -> None:
    """FindReply with the bot's intervention: the reply posted under it."""
    opened = await dimelo.adapter.OpenIntervention(
        dimelo_pb2.OpenInterventionRequest(content_id=dimelo.content_id), timeout=TIMEOUT_SECONDS
    )
    posted = await dimelo.reply()
    request = dimelo_pb2.FindReplyRequest(
        thread_id=dimelo.thread_id, in_reply_to_id=dimelo.content_id, intervention_id=opened.intervention.id
    )
    found = await dimelo.adapter.FindReply(request, timeout=TIMEOUT_SECONDS)
    assert found.content.id == posted.content.id


async def bot_user_is_the_creator_of_its_replies(dimelo: Dimelo) -> None:
    """GetBotUser: the id the orchestrator compares with a content's creator_id to recognise the bot's own."""
    bot = await dimelo.adapter.GetBotUser(dimelo_pb2.GetBotUserRequest(), timeout=TIMEOUT_SECONDS)
    posted = await dimelo.reply()
    assert bot.user_id == posted.content.creator_id == dimelo.world["bot_user"]["id"]


async def welcome_message_reads_as_auto_submitted(dimelo: Dimelo) -> None:
    """GetContent: auto_submitted, set on the chat's welcome message and not on the customer's message (the
    orchestrator reads it when the webhook cannot tell)."""
    thread = (await dimelo.sandbox.get(f"/_sandbox/threads/{dimelo.thread_id}")).json()
    welcome_id = thread["contents"][0]["id"]
    welcome = await dimelo.adapter.GetContent(dimelo_pb2.GetContentRequest(content_id=welcome_id))
    customer = await dimelo.adapter.GetContent(dimelo_pb2.GetContentRequest(content_id=dimelo.content_id))
    assert welcome.content.auto_submitted and not customer.content.auto_submitted


async def intervention_closes_after_the_reply(dimelo: Dimelo) -> None:
    """CloseIntervention on the bot's intervention once it replied: accepted."""
    opened = await dimelo.adapter.OpenIntervention(
        dimelo_pb2.OpenInterventionRequest(content_id=dimelo.content_id), timeout=TIMEOUT_SECONDS
    )
    await dimelo.reply()
    request = dimelo_pb2.CloseInterventionRequest(intervention_id=opened.intervention.id)
    response = await dimelo.adapter.CloseIntervention(request, timeout=TIMEOUT_SECONDS)
    assert response.intervention.id == opened.intervention.id


async def unclosable_intervention_gives_a_tolerated_reason(dimelo: Dimelo) -> None:
    """CloseIntervention that Dimelo refuses (no reply yet): a reason the orchestrator logs and moves on from
    (DIMELO_PERMISSION_DENIED or DIMELO_REFUSED); any other would make it retry or dead-letter the message."""
    opened = await dimelo.adapter.OpenIntervention(
        dimelo_pb2.OpenInterventionRequest(content_id=dimelo.content_id), timeout=TIMEOUT_SECONDS
    )
    request = dimelo_pb2.CloseInterventionRequest(intervention_id=opened.intervention.id)
    error = await failure(dimelo.adapter.CloseIntervention(request, timeout=TIMEOUT_SECONDS))
    assert DIMELO_ADAPTER.reason(error) in CLOSE_REFUSALS_TOLERATED


async def thread_goes_to_the_agents(dimelo: Dimelo) -> None:
    """UpdateThreadCategories with the agent categories: accepted (the handover itself)."""
    request = dimelo_pb2.UpdateThreadCategoriesRequest(
        thread_id=dimelo.thread_id, category_ids=dimelo.world["agent_category_ids"]
    )
    response = await dimelo.adapter.UpdateThreadCategories(request, timeout=TIMEOUT_SECONDS)
    assert response.thread.id == dimelo.thread_id


async def thread_closes(dimelo: Dimelo) -> None:
    """CloseThread: accepted (closing is asynchronous; the orchestrator does not wait for `closed`)."""
    request = dimelo_pb2.CloseThreadRequest(thread_id=dimelo.thread_id)
    response = await dimelo.adapter.CloseThread(request, timeout=TIMEOUT_SECONDS)
    assert response.thread.id == dimelo.thread_id


async def missing_content_is_not_transient(dimelo: Dimelo) -> None:
    """CreateReply to a content Dimelo does not know: NOT_FOUND, a code the orchestrator does not retry, with reason
    DIMELO_NOT_FOUND: the reply is not on its way."""
    request = dimelo_pb2.CreateReplyRequest(in_reply_to_id="no-such-content", body="Hello")
    error = await failure(dimelo.adapter.CreateReply(request, timeout=TIMEOUT_SECONDS))
    assert error.code() is grpc.StatusCode.NOT_FOUND
    assert error.code() not in TRANSIENT_CODES
    assert DIMELO_ADAPTER.reason(error) == dimelo_pb2.ERROR_REASON_DIMELO_NOT_FOUND
    assert DIMELO_ADAPTER.reason(error) not in MAY_STILL_LAND


def _choices_reply(content_id: str, kind: str, *items: dimelo_pb2.StructuredItem) -> dimelo_pb2.CreateReplyRequest:
    structured = dimelo_pb2.StructuredContent(type=kind, items=items)
    return dimelo_pb2.CreateReplyRequest(in_reply_to_id=content_id, body="Which one?", structured_content=structured)


async def structured_replies_are_posted(dimelo: Dimelo) -> None:
    """CreateReply with a `select`, then a `template` with a link button: both posted as the reference shows (the
    content says its channel takes them; a template's title is the answer)."""
    select = _choices_reply(
        dimelo.content_id,
        "select",
        dimelo_pb2.StructuredItem(title="Costs", payload="costs"),
        dimelo_pb2.StructuredItem(title="Times"),
    )
    template = _choices_reply(
        dimelo.content_id,
        "template",
        dimelo_pb2.StructuredItem(title="Ok", payload="ok"),
        dimelo_pb2.StructuredItem(title="Open", url="https://shop.test/faq"),
    )
    content = await dimelo.adapter.GetContent(dimelo_pb2.GetContentRequest(content_id=dimelo.content_id))
    posted = [await dimelo.adapter.CreateReply(r, timeout=TIMEOUT_SECONDS) for r in (select, template)]
    token = {"Authorization": f"Bearer {dimelo.world['bot_user']['token']}"}
    seen = [(await dimelo.sandbox.get(f"/1.0/contents/{p.content.id}", headers=token)).json() for p in posted]

    assert {"select", "template"} <= set(content.content.capabilities_supported)
    assert seen[0]["structured_content"] == {
        "type": "select",
        "items": [{"title": "Costs", "payload": "costs"}, {"title": "Times"}],
    }
    assert seen[1]["structured_content"]["title"] == seen[1]["body"] == "Which one?"
    assert seen[1]["structured_content"]["items"] == [
        {"type": "reply", "title": "Ok", "payload": "ok"},
        {"type": "url", "title": "Open", "url": "https://shop.test/faq"},
    ]


async def structured_reply_refused_by_the_channel_is_refused(dimelo: Dimelo) -> None:
    """CreateReply with a `select` on a channel without structured messages: FAILED_PRECONDITION, reason
    DIMELO_REFUSED (Dimelo's 422), on which the orchestrator posts the choices as a numbered list instead."""
    source = (await dimelo.sandbox.post("/_sandbox/sources", json={"name": "Twitter", "type": "twitter"})).json()
    customer = (await dimelo.sandbox.post("/_sandbox/messages", json={"body": "hi", "source_id": source["id"]})).json()
    request = _choices_reply(customer["content"]["id"], "select", dimelo_pb2.StructuredItem(title="Costs"))
    error = await failure(dimelo.adapter.CreateReply(request, timeout=TIMEOUT_SECONDS))
    assert error.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert DIMELO_ADAPTER.reason(error) == dimelo_pb2.ERROR_REASON_DIMELO_REFUSED


async def handover_note_is_left_on_the_intervention(dimelo: Dimelo) -> None:
    """CreateInterventionComment on the bot's intervention: a comment id; the note is the bot's, on that thread."""
    opened = await dimelo.adapter.OpenIntervention(
        dimelo_pb2.OpenInterventionRequest(content_id=dimelo.content_id), timeout=TIMEOUT_SECONDS
    )
    request = dimelo_pb2.CreateInterventionCommentRequest(intervention_id=opened.intervention.id, body="Reason: x.")
    response = await dimelo.adapter.CreateInterventionComment(request, timeout=TIMEOUT_SECONDS)
    token = {"Authorization": f"Bearer {dimelo.world['bot_user']['token']}"}
    note = (await dimelo.sandbox.get(f"/1.0/intervention_comments/{response.comment_id}", headers=token)).json()
    assert (note["thread_id"], note["user_id"], note["body"]) == (
        dimelo.thread_id,
        dimelo.world["bot_user"]["id"],
        "Reason: x.",
    )


EXPECTATIONS: list[Callable[[Dimelo], Awaitable[None]]] = [
    source_names_its_channel,
    available_agents_are_counted,
    thread_shows_its_categories,
    opened_intervention_has_an_id,
    second_open_returns_the_open_one,
    reply_has_an_id,
    reply_opens_the_intervention_it_needs,
    reply_is_found_once_posted,
    reply_is_found_in_its_intervention,
    bot_user_is_the_creator_of_its_replies,
    welcome_message_reads_as_auto_submitted,
    intervention_closes_after_the_reply,
    unclosable_intervention_gives_a_tolerated_reason,
    thread_goes_to_the_agents,
    thread_closes,
    missing_content_is_not_transient,
    structured_replies_are_posted,
    structured_reply_refused_by_the_channel_is_refused,
    handover_note_is_left_on_the_intervention,
]


@pytest.fixture
async def dimelo() -> AsyncIterator[Dimelo]:
    """The sandbox and the real adapter on loopback ports, and a customer message in a new thread."""
    async with AsyncExitStack() as resources:
        http, world, adapter_port = await start_sandbox_and_adapter(resources)
        customer = (await http.post("/_sandbox/messages", json={"body": "What are your opening hours?"})).json()
        async with grpc.aio.insecure_channel(f"127.0.0.1:{adapter_port}") as channel:
            yield Dimelo(dimelo_pb2_grpc.DimeloServiceStub(channel), http, world, customer["content"])


@pytest.mark.parametrize("expectation", EXPECTATIONS, ids=lambda expectation: expectation.__name__)
async def test_the_adapter_meets_the_orchestrators_expectation(dimelo: Dimelo, expectation):
    # In: the calls the orchestrator makes, on a fresh customer message. Out: what the expectation's docstring says.
    await expectation(dimelo)
