"""In-process fake AI and Dimelo adapter gRPC servers for the orchestrator's tests: scripted, recording calls."""

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field

import grpc

from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc
from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from botbridge.events.v1 import events_pb2
from service_kit.rich_errors import DIMELO_ADAPTER


class FakeAi(ai_pb2_grpc.AiServiceServicer):
    """Answers with `self.response`, after `self.delay` seconds; records each request."""

    def __init__(self) -> None:
        self.response = ai_pb2.RespondResponse(answer=ai_pb2.Answer(text="Hello!"))
        self.delay = 0.0
        self.requests: list[ai_pb2.RespondRequest] = []
        # Codes to fail the next calls with, as when the AI's pod dies during a call.
        self.failures: list[grpc.StatusCode] = []

    async def Respond(self, request, context):
        self.requests.append(request)
        if self.failures:
            await context.abort(self.failures.pop(0), "scripted AI failure")
        await asyncio.sleep(self.delay)
        return self.response


# The reason the real adapter gives with each code (dimelo_adapter/errors.py), for a failure scripted by its code.
REASONS = {
    grpc.StatusCode.UNAVAILABLE: dimelo_pb2.ERROR_REASON_DIMELO_NO_ANSWER,
    grpc.StatusCode.RESOURCE_EXHAUSTED: dimelo_pb2.ERROR_REASON_DIMELO_RATE_LIMITED,
    grpc.StatusCode.ABORTED: dimelo_pb2.ERROR_REASON_DIMELO_CONFLICT,
    grpc.StatusCode.PERMISSION_DENIED: dimelo_pb2.ERROR_REASON_DIMELO_PERMISSION_DENIED,
    grpc.StatusCode.NOT_FOUND: dimelo_pb2.ERROR_REASON_DIMELO_NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION: dimelo_pb2.ERROR_REASON_DIMELO_REFUSED,
    grpc.StatusCode.INVALID_ARGUMENT: dimelo_pb2.ERROR_REASON_DIMELO_INVALID_REQUEST,
}


@dataclass(frozen=True)
class Failure:
    """A failure as the adapter sends it: a code, a reason (dimelo.proto's ErrorReason; None for no ErrorInfo at all,
    as from an adapter that died mid-call) and RetryInfo's delay."""

    code: grpc.StatusCode
    reason: int | None
    retry_after: float | None = None


@dataclass
class FakeDimelo(dimelo_pb2_grpc.DimeloServiceServicer):
    """Records every call by method name; `failures[method]` lists the failures of the next calls: a Failure, or a
    code alone (sent with the reason the adapter gives with it)."""

    calls: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, list[grpc.StatusCode | Failure]] = field(default_factory=lambda: defaultdict(list))
    available_agents: int = 2
    replies: list[events_pb2.Content] = field(default_factory=list)
    # Make CreateReply store the reply and then fail, as when Dimelo's answer is lost.
    lose_reply_answer: bool = False
    bot_user_id: str = "bot-user"
    # Content ids whose REST content says auto_submitted (a welcome message).
    auto_submitted: set[str] = field(default_factory=set)
    # What GetThread answers as the thread's categories.
    thread_category_ids: list[str] = field(default_factory=lambda: ["bot-cat"])

    async def _enter(self, name: str, request, context) -> None:
        self.calls[name].append(request)
        if self.failures[name]:
            failure = self.failures[name].pop(0)
            if isinstance(failure, grpc.StatusCode):
                failure = Failure(failure, REASONS[failure])
            message = f"scripted failure of {name}"
            if failure.reason is None:
                await context.abort(failure.code, message)
            await DIMELO_ADAPTER.abort(context, failure.code, message, failure.reason, failure.retry_after)

    async def CreateReply(self, request, context):
        await self._enter("CreateReply", request, context)
        reply = events_pb2.Content(
            id=f"reply-{len(self.replies) + 1}",
            body=request.body,
            in_reply_to_id=request.in_reply_to_id,
            creator_id=self.bot_user_id,
        )
        self.replies.append(reply)
        if self.lose_reply_answer:
            self.lose_reply_answer = False
            await context.abort(grpc.StatusCode.UNAVAILABLE, "read timeout")  # no reason: as from an adapter that died
        return dimelo_pb2.CreateReplyResponse(content=reply)

    async def FindReply(self, request, context):
        await self._enter("FindReply", request, context)
        found = [r for r in self.replies if r.in_reply_to_id == request.in_reply_to_id]
        return dimelo_pb2.FindReplyResponse(content=found[-1]) if found else dimelo_pb2.FindReplyResponse()

    async def OpenIntervention(self, request, context):
        await self._enter("OpenIntervention", request, context)
        return dimelo_pb2.OpenInterventionResponse(
            intervention=dimelo_pb2.Intervention(id=f"iv-{request.content_id}", content_id=request.content_id)
        )

    async def CloseIntervention(self, request, context):
        await self._enter("CloseIntervention", request, context)
        return dimelo_pb2.CloseInterventionResponse(
            intervention=dimelo_pb2.Intervention(id=request.intervention_id, closed=True)
        )

    async def CreateInterventionComment(self, request, context):
        await self._enter("CreateInterventionComment", request, context)
        return dimelo_pb2.CreateInterventionCommentResponse(comment_id=f"comment-{request.intervention_id}")

    async def CloseThread(self, request, context):
        await self._enter("CloseThread", request, context)
        return dimelo_pb2.CloseThreadResponse(thread=dimelo_pb2.Thread(id=request.thread_id))

    async def UpdateThreadCategories(self, request, context):
        await self._enter("UpdateThreadCategories", request, context)
        return dimelo_pb2.UpdateThreadCategoriesResponse(
            thread=dimelo_pb2.Thread(id=request.thread_id, thread_category_ids=request.category_ids)
        )

    async def GetAgentAvailability(self, request, context):
        await self._enter("GetAgentAvailability", request, context)
        return dimelo_pb2.GetAgentAvailabilityResponse(available_agents=self.available_agents, connected_agents=3)

    async def GetThread(self, request, context):
        await self._enter("GetThread", request, context)
        thread = dimelo_pb2.Thread(id=request.thread_id, thread_category_ids=self.thread_category_ids)
        return dimelo_pb2.GetThreadResponse(thread=thread)

    async def GetSource(self, request, context):
        await self._enter("GetSource", request, context)
        return dimelo_pb2.GetSourceResponse(source=dimelo_pb2.Source(id=request.source_id, channel_id="channel-1"))

    async def GetBotUser(self, request, context):
        await self._enter("GetBotUser", request, context)
        return dimelo_pb2.GetBotUserResponse(user_id=self.bot_user_id)

    async def GetContent(self, request, context):
        await self._enter("GetContent", request, context)
        content = events_pb2.Content(id=request.content_id, auto_submitted=request.content_id in self.auto_submitted)
        return dimelo_pb2.GetContentResponse(content=content)
