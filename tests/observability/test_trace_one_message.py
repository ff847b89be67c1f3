"""One customer message makes one trace: gateway → orchestrator (intake, then processing from the store) → AI →
adapter → Dimelo, with the trace context carried in gRPC metadata and across the store."""

from contextlib import AsyncExitStack

from opentelemetry.trace import SpanKind

from tests.inprocess_stack import start_stack
from tests.support.eventually import eventually


def _bot_answered(transcript: dict) -> bool:
    return any(content["author_kind"] == "bot" for content in transcript["contents"])


async def _processing_span(spans, content_id: str, timeout: float = 10.0):
    """The orchestrator's span for the content's processing, once it has ended."""
    found = await eventually(
        lambda: [
            s
            for s in spans.get_finished_spans()
            if s.name == "process event" and s.attributes.get("content_id") == content_id
        ],
        timeout=timeout,
        what=f"a processing span for content {content_id}",
    )
    return found[0]


async def test_one_trace_id_spans_gateway_orchestrator_ai_and_adapter_for_one_message(spans, tmp_path):
    """In: a customer question written in the sandbox, delivered to the gateway by webhook, answered by the bot.
    Out: the spans of its processing share one trace id with the webhook request's span: the gateway's delivery
    (the root), SubmitDelivery on both sides, the processing from the store, Respond on both sides (the AI), and
    CreateReply on both sides with the adapter's HTTP call to Dimelo under it."""
    async with AsyncExitStack() as resources:
        stack = await start_stack(resources, tmp_path)
        written = await stack.customer_writes("Hello, what are your opening hours?")
        await stack.wait_for(written["thread_id"], _bot_answered)
        processing = await _processing_span(spans, written["content"]["id"])

    trace = [s for s in spans.get_finished_spans() if s.context.trace_id == processing.context.trace_id]
    by_name = {}
    for span in trace:
        by_name.setdefault((span.name, span.kind), []).append(span)
    [root] = [s for s in trace if s.parent is None]
    assert (root.name, root.kind) == ("webhook delivery", SpanKind.SERVER)
    expected = [
        ("botbridge.orchestrator.v1.OrchestratorService/SubmitDelivery", SpanKind.CLIENT),  # gateway
        ("botbridge.orchestrator.v1.OrchestratorService/SubmitDelivery", SpanKind.SERVER),  # orchestrator intake
        ("process event", SpanKind.INTERNAL),  # orchestrator, from the store
        ("botbridge.ai.v1.AiService/Respond", SpanKind.CLIENT),  # orchestrator
        ("botbridge.ai.v1.AiService/Respond", SpanKind.SERVER),  # AI service
        ("botbridge.dimelo.v1.DimeloService/CreateReply", SpanKind.CLIENT),  # orchestrator
        ("botbridge.dimelo.v1.DimeloService/CreateReply", SpanKind.SERVER),  # adapter
        ("Dimelo POST /1.0/contents", SpanKind.CLIENT),  # adapter to Dimelo
    ]
    missing = [name for name in expected if name not in by_name]
    assert not missing, f"spans missing from the trace: {missing}; it has {sorted(by_name)}"

    def parent_of(name: tuple[str, SpanKind]) -> tuple[str, SpanKind]:
        parent_id = by_name[name][0].parent.span_id
        [parent] = [s for s in trace if s.context.span_id == parent_id]
        return parent.name, parent.kind

    assert parent_of(expected[2]) == expected[1], "processing continues the intake's span, across the store"
    assert parent_of(expected[4]) == expected[3], "the AI's span continues the orchestrator's call"
    assert parent_of(expected[6]) == expected[5], "the adapter's span continues the orchestrator's call"
    assert parent_of(expected[7]) == expected[6], "the HTTP call to Dimelo is made inside the adapter's RPC"
    assert processing.attributes["outcome"] == "answered"
