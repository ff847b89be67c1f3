"""The DimeloService RPCs: each checks its request, calls Dimelo through the client and converts the answer.

Failures are raised as AdapterError; the ErrorStatusInterceptor turns them into gRPC statuses.
"""

import logging
from collections import OrderedDict
from contextlib import aclosing
from typing import Any

import grpc

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from botbridge.events.v1 import events_pb2
from dimelo_adapter import converters
from dimelo_adapter.client import DimeloClient
from dimelo_adapter.errors import AdapterError, DimeloRefused, InvalidRequest, UnreadableAnswer
from dimelo_adapter.recent_answer import RecentAnswer

log = logging.getLogger(__name__)

MAX_KNOWN_OWNERS = 10_000


def _require(request: Any, *fields: str) -> None:
    missing = [name for name in fields if not getattr(request, name).strip()]
    if missing:
        raise InvalidRequest(f"{type(request).__name__} needs {', '.join(missing)}; Dimelo was not called", missing)


def _takes_tasks(channel_status: dict[str, Any]) -> bool:
    """An agent's status on a channel lets it take a conversation: available, and not at full capacity."""
    return channel_status.get("status") == "available" and channel_status.get("busyness") != "full"


def _quoted(value: str) -> str:
    """A value for a `q` search term: quoted, so that no id can add a term of its own."""
    return '"' + value.replace('"', "") + '"'


class DimeloServicer(dimelo_pb2_grpc.DimeloServiceServicer):
    def __init__(self, client: DimeloClient, agent_status_seconds: float) -> None:
        self._client = client
        # Read once and kept: the token's user never changes, and a channel's name hardly ever does.
        self._bot_user_id = ""
        self._channels: dict[str, dict[str, Any]] = {}
        # Every agent on every channel in one answer, reused for a few seconds: a burst of handovers costs one call.
        self._agent_statuses = RecentAnswer(client.agent_statuses, agent_status_seconds)
        # One read at a time per source: callers arriving meanwhile share it.
        self._source_reads: dict[str, RecentAnswer[dimelo_pb2.Source]] = {}
        # The owners of the interventions this adapter opened, newest last: a note on one needs no read of it.
        self._intervention_owners: OrderedDict[str, str] = OrderedDict()

    async def CreateReply(
        self, request: dimelo_pb2.CreateReplyRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.CreateReplyResponse:
        _require(request, "in_reply_to_id", "body")
        try:
            return dimelo_pb2.CreateReplyResponse(content=await self._post_reply(request))
        except DimeloRefused as refusal:
            wants_intervention = refusal.reason == dimelo_pb2.ERROR_REASON_INTERVENTION_REQUIRED
            if not (request.open_intervention_if_required and wants_intervention):
                raise
        log.info("reply refused for want of an intervention: opening one", extra={"content_id": request.in_reply_to_id})
        intervention = self._opened(await self._client.open_intervention(request.in_reply_to_id))
        try:
            reply = await self._post_reply(request)
        except AdapterError as error:
            error.add_note(f"the adapter had opened intervention {intervention.id!r} on the content to reply")
            raise
        return dimelo_pb2.CreateReplyResponse(content=reply, opened_intervention_id=intervention.id)

    async def _post_reply(self, request: dimelo_pb2.CreateReplyRequest) -> events_pb2.Content:
        structured = converters.structured_content(request) if request.HasField("structured_content") else None
        reply = await self._client.create_reply(
            request.in_reply_to_id, request.body, request.private_message, request.author_id, structured
        )
        return converters.content(reply)

    async def FindReply(
        self, request: dimelo_pb2.FindReplyRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.FindReplyResponse:
        """The bot's latest reply to the content: a search scoped to the intervention (or else the thread), newest
        first, that stops at the first reply of the bot's user to the content, or at the content itself (anything
        older cannot answer it). Never an account-wide listing."""
        _require(request, "thread_id", "in_reply_to_id")
        bot_user_id = await self._own_user_id()
        if request.intervention_id:
            query = f"intervention:{_quoted(request.intervention_id)}"
        else:
            query = f"thread:{_quoted(request.thread_id)}"
        async with aclosing(self._client.search_contents(query)) as contents:
            async for record in contents:
                if record.get("id") == request.in_reply_to_id:
                    break
                if record.get("in_reply_to_id") == request.in_reply_to_id and record.get("creator_id") == bot_user_id:
                    return dimelo_pb2.FindReplyResponse(content=converters.content(record))
        return dimelo_pb2.FindReplyResponse()

    async def GetBotUser(
        self, request: dimelo_pb2.GetBotUserRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.GetBotUserResponse:
        return dimelo_pb2.GetBotUserResponse(user_id=await self._own_user_id())

    async def _own_user_id(self) -> str:
        if not self._bot_user_id:
            user_id = (await self._client.own_user()).get("id")
            if not user_id:
                raise UnreadableAnswer("GET /1.0/users/me: Dimelo answered a user without an id")
            self._bot_user_id = str(user_id)
        return self._bot_user_id

    async def OpenIntervention(
        self, request: dimelo_pb2.OpenInterventionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.OpenInterventionResponse:
        _require(request, "content_id")
        try:
            opened = await self._client.open_intervention(request.content_id)
        except DimeloRefused as refusal:
            # Refused in the content's state (422): one is already open on the thread (e.g. opened by an attempt whose
            # answer was lost): that one.
            already_open = refusal.reason == dimelo_pb2.ERROR_REASON_DIMELO_REFUSED
            found = await self._open_intervention_on_thread_of(request.content_id) if already_open else None
            if found is None:
                raise refusal from None
            log.info("intervention already open: using it", extra={"intervention_id": found.get("id")})
            opened = found
        return dimelo_pb2.OpenInterventionResponse(intervention=self._opened(opened))

    def _opened(self, answer: dict[str, Any]) -> dimelo_pb2.Intervention:
        """An intervention just opened (or found open), its owner remembered (the latest MAX_KNOWN_OWNERS)."""
        intervention = converters.intervention(answer)
        if intervention.id and intervention.user_id:
            self._intervention_owners[intervention.id] = intervention.user_id
            if len(self._intervention_owners) > MAX_KNOWN_OWNERS:
                self._intervention_owners.popitem(last=False)
        return intervention

    async def _open_intervention_on_thread_of(self, content_id: str) -> dict[str, Any] | None:
        """The intervention open on the content's thread (`GET /1.0/interventions?thread_id=`); None when there is
        none or the look-up fails (the caller then reports the original refusal)."""
        try:
            thread_id = (await self._client.get_content(content_id)).get("thread_id")
            if not thread_id:
                return None
            async with aclosing(self._client.thread_interventions(str(thread_id))) as interventions:
                async for intervention in interventions:
                    if not intervention.get("closed"):
                        return intervention
        except AdapterError as error:
            log.warning("could not look up the open intervention: %s", error, extra={"content_id": content_id})
        return None

    async def CloseIntervention(
        self, request: dimelo_pb2.CloseInterventionRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.CloseInterventionResponse:
        _require(request, "intervention_id")
        closed = await self._client.close_intervention(request.intervention_id)
        return dimelo_pb2.CloseInterventionResponse(intervention=converters.intervention(closed))

    async def CreateInterventionComment(
        self, request: dimelo_pb2.CreateInterventionCommentRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.CreateInterventionCommentResponse:
        """The comment's user is the intervention's owner (Dimelo requires one): known when this adapter opened it,
        else read (`GET /1.0/interventions/:id`). Should an agent have taken over an intervention the adapter opened,
        Dimelo refuses the note, and the caller goes on without it."""
        _require(request, "intervention_id", "body")
        owner = self._intervention_owners.get(request.intervention_id)
        if owner is None:
            owner = (await self._client.get_intervention(request.intervention_id)).get("user_id") or ""
        comment = await self._client.create_intervention_comment(request.intervention_id, owner, request.body)
        return dimelo_pb2.CreateInterventionCommentResponse(comment_id=str(comment.get("id") or ""))

    async def CloseThread(
        self, request: dimelo_pb2.CloseThreadRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.CloseThreadResponse:
        _require(request, "thread_id")
        thread = await self._client.close_thread(request.thread_id)
        return dimelo_pb2.CloseThreadResponse(thread=converters.thread(thread))

    async def UpdateThreadCategories(
        self, request: dimelo_pb2.UpdateThreadCategoriesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.UpdateThreadCategoriesResponse:
        _require(request, "thread_id")
        thread = await self._client.update_thread_categories(request.thread_id, request.category_ids)
        return dimelo_pb2.UpdateThreadCategoriesResponse(thread=converters.thread(thread))

    async def GetAgentAvailability(
        self, request: dimelo_pb2.GetAgentAvailabilityRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.GetAgentAvailabilityResponse:
        """Counts each agent once: connected when its entry for the channel has a status, available when that
        status is "available" and its busyness is not "full". From /1.0/status read at most a few seconds ago."""
        _require(request, "channel_id")
        available = connected = 0
        for agent in await self._agent_statuses.get():
            entries = [
                entry
                for entry in agent.get("channels") or ()
                if isinstance(entry, dict) and str(entry.get("id")) == request.channel_id
            ]
            connected += any(entry.get("status") is not None for entry in entries)
            available += any(_takes_tasks(entry) for entry in entries)
        return dimelo_pb2.GetAgentAvailabilityResponse(available_agents=available, connected_agents=connected)

    async def GetContent(
        self, request: dimelo_pb2.GetContentRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.GetContentResponse:
        _require(request, "content_id")
        content = await self._client.get_content(request.content_id)
        return dimelo_pb2.GetContentResponse(content=converters.content(content))

    async def GetThread(
        self, request: dimelo_pb2.GetThreadRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.GetThreadResponse:
        _require(request, "thread_id")
        thread = await self._client.get_thread(request.thread_id)
        return dimelo_pb2.GetThreadResponse(thread=converters.thread(thread))

    async def GetSource(
        self, request: dimelo_pb2.GetSourceRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dimelo_pb2.GetSourceResponse:
        """The source, and the channel its `channel_id` names (read once per channel); concurrent calls for one
        source share one read (a burst of handovers on a source the caller has not cached yet)."""
        _require(request, "source_id")
        if request.source_id not in self._source_reads:
            self._source_reads[request.source_id] = RecentAnswer(lambda: self._read_source(request.source_id), 0.0)
        return dimelo_pb2.GetSourceResponse(source=await self._source_reads[request.source_id].get())

    async def _read_source(self, source_id: str) -> dimelo_pb2.Source:
        source = await self._client.get_source(source_id)
        channel_id = str(source.get("channel_id") or "")
        if channel_id and channel_id not in self._channels:
            self._channels[channel_id] = await self._client.get_channel(channel_id)
        return converters.source(source, self._channels.get(channel_id))
