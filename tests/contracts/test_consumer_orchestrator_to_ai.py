"""Consumer contract, orchestrator -> AI: what orchestrator/decision.py and conversation.py rely on from Respond,
written once and run over gRPC against each real AI we ship (ai_service with each backend, examples/minimal_ai).

The orchestrator sends the conversation as it builds it (no timestamps, history of customer, bot and agent
messages) with its deadline, then reads: an answer whose text is not blank, or a handover whose reason v1 defines
(any other reason is counted as "other"); anything else becomes an "empty_answer" or "ai_error" handover, which
hides a broken AI.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest

from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc
from orchestrator.settings import Settings as OrchestratorSettings
from tests.ai_servers import serving_ai_service, serving_example_ai, serving_llm_ai_service

DEADLINE = OrchestratorSettings.model_fields["ai_deadline_seconds"].default
ANSWER = "answer"
HANDOVER = "handover"
EITHER = frozenset({ANSWER, HANDOVER})


def message(body: str, author: ai_pb2.Author = ai_pb2.AUTHOR_CUSTOMER, content_id: str = "c-last") -> ai_pb2.Message:
    """A message as the orchestrator's _ai_message makes it: content id, author and body only."""
    return ai_pb2.Message(content_id=content_id, author=author, body=body)


def conversation(body: str, language: str = "en", history: tuple[ai_pb2.Message, ...] = ()) -> ai_pb2.Conversation:
    return ai_pb2.Conversation(
        thread_id="t-contract",
        source_id="s-chat",
        language=language,
        title="",
        message=message(body),
        history=history,
    )


@dataclass(frozen=True)
class Case:
    name: str
    conversation: ai_pb2.Conversation
    # How the orchestrator may read the response: ANSWER, HANDOVER, or EITHER.
    expected: frozenset[str]


EARLIER = (
    message("Hello", ai_pb2.AUTHOR_CUSTOMER, "c-1"),
    message("Hello! How can I help you?", ai_pb2.AUTHOR_BOT, "c-2"),
    message("Let me check that for you.", ai_pb2.AUTHOR_AGENT, "c-3"),
)
CASES = [
    Case("first message of a thread", conversation("What are your opening hours?"), EITHER),
    Case("follow-up after bot and agent messages", conversation("How do I return an item?", history=EARLIER), EITHER),
    Case("language Dimelo did not detect", conversation("How long does delivery take?", language=""), EITHER),
    Case("regional language code", conversation("What are your opening hours?", language="en-GB"), EITHER),
    Case("an attachment only: empty body", conversation(""), EITHER),
    Case("the customer asks for an agent", conversation("Can I talk to an agent, please?"), frozenset({HANDOVER})),
]


def as_the_orchestrator_reads_it(response: ai_pb2.RespondResponse) -> str:
    """The orchestrator's reading of a response (orchestrator/decision.py): ANSWER, HANDOVER, or why neither."""
    if response.HasField("answer"):
        return ANSWER if response.answer.text.strip() else "an answer without text (becomes empty_answer)"
    if not response.HasField("handover"):
        return "neither answer nor handover (becomes empty_answer)"
    if response.handover.reason not in ai_pb2.HandoverReason.values():
        return f"a handover reason the orchestrator cannot name ({response.handover.reason})"
    return HANDOVER


PROVIDERS = {
    "ai_service": serving_ai_service,
    "ai_service (llm)": serving_llm_ai_service,
    "examples/minimal_ai": serving_example_ai,
}


@pytest.fixture(params=list(PROVIDERS))
async def ai(request: pytest.FixtureRequest) -> AsyncIterator[ai_pb2_grpc.AiServiceStub]:
    """Each real AI provider in turn, reached over gRPC."""
    async with PROVIDERS[request.param]() as address, grpc.aio.insecure_channel(address) as channel:
        yield ai_pb2_grpc.AiServiceStub(channel)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_the_ai_gives_the_orchestrator_a_decision_it_can_use(ai: ai_pb2_grpc.AiServiceStub, case: Case):
    # In: the conversation as the orchestrator sends it, with its default deadline. Out: within the deadline, a
    # response the orchestrator reads as one of the case's expected outcomes.
    response = await ai.Respond(ai_pb2.RespondRequest(conversation=case.conversation), timeout=DEADLINE)

    assert as_the_orchestrator_reads_it(response) in case.expected, response
