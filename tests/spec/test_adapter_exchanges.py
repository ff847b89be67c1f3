"""The adapter against the sandbox, every RPC it serves: each request it sends, each answer the sandbox gives and
each webhook delivery is checked against RingCentral's spec and events.md."""

import grpc
import pytest

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from dimelo_adapter.server import create_server
from dimelo_adapter.settings import AdapterSettings
from tests.spec.spec_check import check_all, delivery_problems


@pytest.fixture
async def adapter(recording_sandbox):
    settings = AdapterSettings(
        dimelo_api_url=recording_sandbox.running.url,
        dimelo_access_token="sandbox-bot-token",
        adapter_listen_addr="127.0.0.1:0",
    )
    server = await create_server(settings)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    yield dimelo_pb2_grpc.DimeloServiceStub(channel)
    await channel.close()
    await server.stop(0)


async def test_every_adapter_operation_conforms_to_the_spec(recording_sandbox, webhook_receiver, adapter):
    """In: a customer's message, then every adapter RPC on it (reply, private reply, intervention, find, close,
    categorize, availability, reads). Out: no exchange and no delivery differs from the spec; the reply is found
    by a scoped search and nothing lists the whole account; the operations exercised are printed."""
    message = await recording_sandbox.customer_says("My modem is broken")
    content_id, thread_id = message["content"]["id"], message["thread_id"]
    world = await recording_sandbox.world()

    bot = await adapter.GetBotUser(dimelo_pb2.GetBotUserRequest())
    source = (await adapter.GetSource(dimelo_pb2.GetSourceRequest(source_id=message["content"]["source_id"]))).source
    channel = dimelo_pb2.GetAgentAvailabilityRequest(channel_id=source.channel_id)
    availability = await adapter.GetAgentAvailability(channel)
    await adapter.GetThread(dimelo_pb2.GetThreadRequest(thread_id=thread_id))
    await adapter.GetContent(dimelo_pb2.GetContentRequest(content_id=content_id))
    opened = await adapter.OpenIntervention(dimelo_pb2.OpenInterventionRequest(content_id=content_id))
    intervention = opened.intervention
    reply = (await adapter.CreateReply(dimelo_pb2.CreateReplyRequest(in_reply_to_id=content_id, body="Hi"))).content
    private = dimelo_pb2.CreateReplyRequest(in_reply_to_id=content_id, body="psst", private_message=True)
    await adapter.CreateReply(private)
    by_thread = await adapter.FindReply(dimelo_pb2.FindReplyRequest(thread_id=thread_id, in_reply_to_id=content_id))
    by_intervention = await adapter.FindReply(
        dimelo_pb2.FindReplyRequest(thread_id=thread_id, in_reply_to_id=content_id, intervention_id=intervention.id)
    )
    await adapter.CloseIntervention(dimelo_pb2.CloseInterventionRequest(intervention_id=intervention.id))
    await adapter.UpdateThreadCategories(
        dimelo_pb2.UpdateThreadCategoriesRequest(thread_id=thread_id, category_ids=world["agent_category_ids"])
    )
    await recording_sandbox.http.post("/_sandbox/jobs/wait")
    await adapter.UpdateThreadCategories(dimelo_pb2.UpdateThreadCategoriesRequest(thread_id=thread_id))
    await adapter.CloseThread(dimelo_pb2.CloseThreadRequest(thread_id=thread_id))
    await recording_sandbox.http.post("/_sandbox/jobs/wait")
    await recording_sandbox.http.post("/_sandbox/deliveries/wait")

    assert bot.user_id == world["bot_user"]["id"] and source.channel_id == world["channels"][0]["id"]
    assert availability.available_agents == 3
    assert by_thread.content.id == by_intervention.content.id != reply.id  # the latest: the private one
    operations, problems = check_all(recording_sandbox.records("rest"))
    print(f"spec operations validated: {len(operations)}: {sorted(operations)}")
    assert problems == []
    assert len(operations) == 12
    deliveries = recording_sandbox.records("webhook")
    assert deliveries and [p for d in deliveries for p in delivery_problems(d["delivery"])] == []
    stats = (await recording_sandbox.http.get("/_sandbox/stats")).json()
    assert stats["account_wide_content_listings"] == 0
