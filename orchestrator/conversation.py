"""One customer message, processed: the AI answers it, or the thread goes to the agents.

Every side effect on Dimelo is written to the step journal (keyed by the customer's content id) once done, so a
retry after a crash or a transient failure resumes where it stopped instead of repeating it. Each effect is made
only right after a commit proving this replica still holds the thread's lease (the fencing token), and within a
deadline shorter than the lease, so a replica that stalled is stopped before it acts where another one took over.
What is recorded between two effects waits for that commit (the event's UnitOfWork): an effect is recorded in the
commit right before the next effect, or in the one that ends the attempt, never before it is known.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

import grpc

from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc
from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from botbridge.events.v1 import events_pb2
from orchestrator import choices
from orchestrator.decision import Decision, ask_ai, bounded_reason
from orchestrator.errors import describe
from orchestrator.formatting import to_plain_text
from orchestrator.handback import AGENT_REPLIED, HandbackRule
from orchestrator.handover_note import handover_note, leave_note
from orchestrator.intake_filter import AUTO_SUBMITTED, INTERVENTION_CLOSED, needs_content_check
from orchestrator.metrics import HANDOVERS, NO_AGENT_FALLBACKS
from orchestrator.settings import NoAgentPolicy, Settings
from orchestrator.source_directory import AutoSubmitted, BotUser, SourceDirectory
from orchestrator.store import (
    AGENTS_OWNER,
    CUSTOMER_MESSAGE,
    HistoryMessage,
    Store,
    StoredEvent,
    ThreadState,
    UnitOfWork,
)
from service_kit.rich_errors import DIMELO_ADAPTER

log = logging.getLogger(__name__)
# A content's journal: the details of each step taken, by step name (Store.journal).
Journal = dict[str, dict[str, Any]]
# How long before a reply an interrupted attempt may still be posting is first looked for again; each later wait is
# twice the one before (see _earlier_reply).
REPLY_LOOKUP_FIRST_WAIT_SECONDS = 1.0
# The adapter's reasons (dimelo.proto's ErrorReason) after which a failed CreateReply may still land, or has: no
# answer came from Dimelo, Dimelo failed (5xx), or it posted the reply and its answer could not be read; and no
# reason at all: the adapter did not say (our deadline cut the call, the adapter died or crashed mid-call). After any
# other reason Dimelo refused the reply or never got it: nothing is on its way.
MAY_STILL_LAND = frozenset(
    {
        dimelo_pb2.ERROR_REASON_UNSPECIFIED,
        dimelo_pb2.ERROR_REASON_DIMELO_NO_ANSWER,
        dimelo_pb2.ERROR_REASON_DIMELO_FAILED,
        dimelo_pb2.ERROR_REASON_DIMELO_ANSWER_UNREADABLE,
    }
)
# Refusals to close the bot's intervention after which the handover goes on, the intervention left open: the token's
# user may not close it (e.g. an agent took it over, or it is closed already), or not in its state.
CLOSE_REFUSALS_TOLERATED = frozenset(
    {dimelo_pb2.ERROR_REASON_DIMELO_PERMISSION_DENIED, dimelo_pb2.ERROR_REASON_DIMELO_REFUSED}
)


@dataclass(frozen=True)
class Outcome:
    """What processing an event did: `code` from a closed set (a metric label), `text` for the store and the logs."""

    code: str
    text: str


class ConversationHandler:
    """Processes stored events; returns what was done, raises on failures (the scheduler decides about retries).
    What it records goes into the event's UnitOfWork, whose writes left uncommitted the scheduler commits with the
    event's end."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        ai: "ai_pb2_grpc.AiServiceAsyncStub",
        dimelo: "dimelo_pb2_grpc.DimeloServiceAsyncStub",
    ) -> None:
        self._settings = settings
        self._store = store
        self._ai = ai
        self._dimelo = dimelo
        self._sources = SourceDirectory(dimelo)
        self._bot_user = BotUser(dimelo)
        self._auto_submitted = AutoSubmitted(dimelo)
        self._handback = HandbackRule(settings, dimelo)
        # An effect must end while the lease proven just before it still holds (it is renewed meanwhile).
        self._effect_timeout = min(settings.adapter_timeout_seconds, settings.lease_seconds / 2)

    async def handle(self, stored: StoredEvent, work: UnitOfWork) -> Outcome:
        event = stored.event
        if event.type == CUSTOMER_MESSAGE:
            return await self._customer_message(event.content, stored.attempts, work)
        if event.type == INTERVENTION_CLOSED:
            return await self._intervention_closed(event.intervention, work)
        return await self._reply_seen(event, work)

    async def hand_over_after_failure(self, stored: StoredEvent, failure: str, work: UnitOfWork) -> Outcome | None:
        """A customer message whose processing failed for good goes to the agents, with the reason: the usual
        handover (notice, intervention closed, agent categories), else the agent categories alone when the notice
        cannot be posted. None for other events (nobody waits for an answer to them). Raises when even that fails."""
        content = stored.event.content
        if stored.event.type != CUSTOMER_MESSAGE:
            return None
        await work.commit()  # what the failed attempt did (a handback, an intervention opened) before it is read back
        thread = await self._store.thread(content.thread_id)
        if thread.owner == AGENTS_OWNER:
            return Outcome("ignored_with_agents", f"failed ({failure}); thread already with agents")
        journal = await self._store.journal(content.id)
        decision = Decision(answer=False, reason="processing_failed", explanation=failure)
        try:
            outcome = await self._handover(content, thread, decision, journal, work, keep_with_bot=False)
        except grpc.aio.AioRpcError as error:
            log.warning("handover notice failed, recategorizing only: %s", describe(error))
            await self._recategorize(content, journal, work, "unknown")
            work.save_thread(ThreadState(content.thread_id, owner=AGENTS_OWNER, handover_reason=decision.reason))
            self._count_handover(decision, None, work)
            outcome = Outcome("handed_over", "handed over after a failure, without a notice (it could not be posted)")
        work.record_step(content.id, "done", outcome=outcome.text, failure=failure)
        return Outcome(outcome.code, f"{outcome.text}; failure: {failure}")

    async def _intervention_closed(self, intervention: events_pb2.Intervention, work: UnitOfWork) -> Outcome:
        """An intervention closed: the thread may come back to the bot (orchestrator/handback.py)."""
        if await self._handback.intervention_closed(await self._store.thread(intervention.thread_id), work):
            return Outcome("handed_back", "thread handed back to the bot: intervention closed in a bot category")
        return Outcome("ignored_not_handed_back", "ignored: no handback, the thread stays where it is")

    async def _reply_seen(self, event: events_pb2.Event, work: UnitOfWork) -> Outcome:
        """A content created inside Dimelo: the bot's own, or an agent's, who then owns the thread."""
        content = event.content
        known = content.id in await self._store.bot_messages([content.id])
        if known or (content.HasField("creator_id") and content.creator_id == await self._bot_user.id()):
            return Outcome("ignored_own_reply", "ignored: the bot's own reply")
        work.add_message(content.thread_id, _history_entry(content, "agent"))  # for a later handback
        thread = await self._store.thread(content.thread_id)
        if thread.owner == AGENTS_OWNER:
            return Outcome("ignored_with_agents", "ignored: thread already with agents")
        work.save_thread(replace(thread, owner=AGENTS_OWNER, handover_reason=AGENT_REPLIED))
        return Outcome("agent_took_over", "thread left to agents: an agent replied")

    async def _customer_message(self, content: events_pb2.Content, attempts: int, work: UnitOfWork) -> Outcome:
        thread = await self._store.thread(content.thread_id)
        if thread.owner == AGENTS_OWNER:
            thread = await self._handback.customer_wrote(thread, work)
        if thread.owner == AGENTS_OWNER:
            return Outcome("ignored_with_agents", f"ignored: thread is with agents ({thread.handover_reason})")
        journal = await self._store.journal(content.id)
        if "done" in journal:
            done = journal["done"]["outcome"]
            return Outcome("ignored_already_processed", f"ignored: content already processed ({done})")
        if "decision" not in journal and needs_content_check(content) and await self._auto_submitted(content.id):
            return Outcome("ignored_auto_submitted", AUTO_SUBMITTED)
        if self._settings.bot_category_ids:
            seen = await self._seen_in_bot_category(thread, work)
            if seen is None:
                return Outcome("ignored_not_bot_category", "ignored: thread is not in a bot category")
            thread = seen
        work.add_message(content.thread_id, _history_entry(content, "customer"))
        decision = Decision.from_journal(journal.get("decision"))
        if decision is None:
            decision = await ask_ai(
                self._ai,
                await self._conversation(content),
                self._settings.ai_deadline_seconds,
                may_retry=attempts < self._settings.ai_unavailable_retries,
            )
            decision = self._as_plain_text(decision)
            self._log_decision(content, decision)
            work.record_step(content.id, "decision", **decision.to_journal())
        if decision.answer:
            outcome = await self._answer(content, thread, decision, journal, work)
        else:
            outcome = await self._handover(content, thread, decision, journal, work)
        work.record_step(content.id, "done", outcome=outcome.text)
        return outcome

    def _log_decision(self, content: events_pb2.Content, decision: Decision) -> None:
        """One line per AI decision; the customer's words and the answer only when LOG_MESSAGE_BODIES is on."""
        extra: dict[str, object] = {"decision": "answer" if decision.answer else "handover"}
        if decision.reason:
            extra["reason"] = decision.reason
        if self._settings.log_message_bodies:
            extra.update(body=content.body, answer=decision.text, explanation=decision.explanation)
        if decision.answer:
            log.info("the AI answered", extra=extra)
        else:
            log.info("the AI hands over: %s", decision.reason, extra=extra)

    def _as_plain_text(self, decision: Decision) -> Decision:
        """The answer as Dimelo will show it; an answer with no text left becomes a handover."""
        if not decision.answer:
            return decision
        text = to_plain_text(decision.text, self._settings.max_reply_chars)
        if text:
            return replace(decision, text=text)
        return Decision(answer=False, reason="empty_answer", explanation="the AI's answer has no plain text")

    async def _seen_in_bot_category(self, thread: ThreadState, work: UnitOfWork) -> ThreadState | None:
        """The thread, with when it was last seen in a bot category; None when it is not in one. Read from Dimelo
        only when not seen there within BOT_CATEGORY_RECHECK_SECONDS."""
        now = time.time()
        if now - thread.bot_category_seen_at < self._settings.bot_category_recheck_seconds:
            return thread
        response = await self._dimelo.GetThread(dimelo_pb2.GetThreadRequest(thread_id=thread.thread_id))
        if not set(response.thread.thread_category_ids) & set(self._settings.bot_category_ids):
            return None
        thread = replace(thread, bot_category_seen_at=now)
        work.save_thread(thread)
        return thread

    async def _conversation(self, content: events_pb2.Content) -> ai_pb2.Conversation:
        size = self._settings.history_size
        history = await self._store.history(content.thread_id, size + 1)  # this message too, if an attempt saved it
        earlier = [entry for entry in history if entry.content_id != content.id]
        earlier = earlier[max(0, len(earlier) - size) :]
        message = _ai_message(_history_entry(content, "customer"))
        pick = choices.picked(content.body, await choices.offered_before(self._store, earlier))
        if pick is not None:
            message.picked_choice.CopyFrom(ai_pb2.Choice(**pick))
        return ai_pb2.Conversation(
            thread_id=content.thread_id,
            source_id=content.source_id,
            language=content.language,
            title=content.thread_title,
            message=message,
            history=[_ai_message(entry) for entry in earlier],
        )

    async def _answer(
        self, content: events_pb2.Content, thread: ThreadState, decision: Decision, journal: Journal, work: UnitOfWork
    ) -> Outcome:
        if self._settings.open_intervention and not thread.intervention_id and "posted" not in journal:
            thread = await self._open_intervention(content, thread, work)
        thread = await self._post_with_choices(content, thread, decision, journal, work)
        if not decision.finished:
            return Outcome("answered", "answered")
        await self._close_intervention(content, thread, journal, work)
        if self._settings.close_thread_when_finished and "thread_closed" not in journal:
            await work.commit()
            await self._dimelo.CloseThread(
                dimelo_pb2.CloseThreadRequest(thread_id=content.thread_id), timeout=self._effect_timeout
            )
            work.record_step(content.id, "thread_closed")
            log.info("thread closed")
            return Outcome("answered", "answered; conversation finished, intervention and thread closed")
        return Outcome("answered", "answered; conversation finished, intervention closed")

    async def _handover(
        self,
        content: events_pb2.Content,
        thread: ThreadState,
        decision: Decision,
        journal: Journal,
        work: UnitOfWork,
        keep_with_bot: bool = True,
    ) -> Outcome:
        """Hands the thread to the agents; with no agent available, `keep_with_bot` lets NO_AGENT_POLICY keep it."""
        available = await self._available_agents(content.source_id)
        if available == 0:
            notice = self._settings.no_agent_message
            recategorize = self._settings.no_agent_policy is NoAgentPolicy.QUEUE or not keep_with_bot
        else:
            notice, recategorize = self._settings.handover_message, True
        agents = "unknown" if available is None else str(available)
        if self._settings.handover_note and notice and not thread.intervention_id:
            thread = await self._open_intervention(content, thread, work)  # the note's home, closed below
        if notice:
            text = to_plain_text(notice, self._settings.max_reply_chars)
            thread = await self._post(content, thread, text, journal, work)
        if self._settings.handover_note and thread.intervention_id:
            note = handover_note(decision, agents)
            await leave_note(
                self._dimelo, work, content.id, thread.intervention_id, note, journal, self._effect_timeout
            )
        await self._close_intervention(content, thread, journal, work)
        if not recategorize:
            self._count_handover(decision, available, work)
            return Outcome(
                "kept_with_bot", f"handover wanted ({decision.reason}) but no agent available: kept with the bot"
            )
        await self._recategorize(content, journal, work, agents)
        work.save_thread(ThreadState(content.thread_id, owner=AGENTS_OWNER, handover_reason=decision.reason))
        self._count_handover(decision, available, work)
        return Outcome("handed_over", f"handed over ({decision.reason}); agents available: {agents}")

    async def _recategorize(self, content: events_pb2.Content, journal: Journal, work: UnitOfWork, agents: str) -> None:
        """Gives the thread the agents' categories, once."""
        if "recategorized" in journal:
            return
        await work.commit()
        await self._dimelo.UpdateThreadCategories(
            dimelo_pb2.UpdateThreadCategoriesRequest(
                thread_id=content.thread_id, category_ids=self._settings.agent_category_ids
            ),
            timeout=self._effect_timeout,
        )
        work.record_step(
            content.id, "recategorized", category_ids=self._settings.agent_category_ids, agents_available=agents
        )
        log.info("thread recategorized for the agents", extra={"agents_available": agents})

    def _count_handover(self, decision: Decision, available: int | None, work: UnitOfWork) -> None:
        """Counted once the handover is saved: neither a failed attempt, retried later, nor one whose lease was lost
        counts it."""
        agents = "unknown" if available is None else "available" if available else "none"
        policy = self._settings.no_agent_policy.value

        def count() -> None:
            HANDOVERS.labels(bounded_reason(decision.reason), agents).inc()
            if available == 0:
                NO_AGENT_FALLBACKS.labels(policy).inc()

        work.once_committed(count)

    async def _available_agents(self, source_id: str) -> int | None:
        """Agents able to take the thread on the source's channel; None when Dimelo can't tell us."""
        try:
            source = await self._sources.get(source_id)
            if not source.channel_id:
                log.warning("source has no channel: agent availability unknown", extra={"source_id": source_id})
                return None
            response = await self._dimelo.GetAgentAvailability(
                dimelo_pb2.GetAgentAvailabilityRequest(channel_id=source.channel_id)
            )
        except grpc.aio.AioRpcError as error:
            log.warning(
                "agent availability unknown, handing over anyway: %s", describe(error), extra={"source_id": source_id}
            )
            return None
        return response.available_agents

    async def _open_intervention(
        self, content: events_pb2.Content, thread: ThreadState, work: UnitOfWork
    ) -> ThreadState:
        await work.commit()
        try:
            response = await self._dimelo.OpenIntervention(
                dimelo_pb2.OpenInterventionRequest(content_id=content.id), timeout=self._effect_timeout
            )
        except grpc.aio.AioRpcError as error:
            if DIMELO_ADAPTER.reason(error) != dimelo_pb2.ERROR_REASON_DIMELO_REFUSED:
                raise
            # Already open (e.g. by an earlier attempt whose answer was lost): reply anyway.
            log.info("intervention not opened: %s", describe(error), extra={"content_id": content.id})
            return thread
        thread = replace(thread, intervention_id=response.intervention.id)
        work.save_thread(thread)
        log.info("bot intervention opened", extra={"intervention_id": thread.intervention_id})
        return thread

    async def _close_intervention(
        self, content: events_pb2.Content, thread: ThreadState, journal: Journal, work: UnitOfWork
    ) -> None:
        if not thread.intervention_id or "intervention_closed" in journal:
            return
        await work.commit()
        try:
            await self._dimelo.CloseIntervention(
                dimelo_pb2.CloseInterventionRequest(intervention_id=thread.intervention_id),
                timeout=self._effect_timeout,
            )
        except grpc.aio.AioRpcError as error:
            if DIMELO_ADAPTER.reason(error) not in CLOSE_REFUSALS_TOLERATED:
                raise
            log.warning("bot intervention left open: %s", describe(error), extra={"thread_id": content.thread_id})
            left_open = describe(error)
        else:
            log.info("bot intervention closed", extra={"intervention_id": thread.intervention_id})
            left_open = ""
        work.save_thread(replace(thread, intervention_id=""))
        work.record_step(content.id, "intervention_closed", intervention_id=thread.intervention_id, left_open=left_open)

    async def _earlier_reply(
        self, content: events_pb2.Content, thread: ThreadState, posting: dict[str, Any], work: UnitOfWork
    ) -> events_pb2.Content | None:
        """The reply an earlier attempt posted, or None when it never reached Dimelo. That attempt's call may still
        be on its way (its process died, the call did not) until its `settled_by` time: until then a reply not found
        yet is looked for again rather than posted twice, after 1 s, then after twice as long each time, and once
        more at `settled_by`. A reply that landed is found in the first looks; one that did not costs a few calls of
        the account's budget (5 in a 15 s wait), not one a second."""
        wait_next = REPLY_LOOKUP_FIRST_WAIT_SECONDS
        while True:
            found = await self._dimelo.FindReply(
                dimelo_pb2.FindReplyRequest(
                    thread_id=content.thread_id, in_reply_to_id=content.id, intervention_id=thread.intervention_id
                )
            )
            if found.HasField("content"):
                return found.content
            wait = posting.get("settled_by", 0.0) - time.time()
            if wait <= 0:
                return None
            log.info("earlier reply not found yet; its call may still be in flight: looking again")
            await asyncio.sleep(min(wait_next, wait))
            wait_next *= 2
            await work.commit()

    async def _post_with_choices(
        self, content: events_pb2.Content, thread: ThreadState, decision: Decision, journal: Journal, work: UnitOfWork
    ) -> ThreadState:
        """The answer with its choices as a structured message where the channel takes it, else as a numbered list
        (also when Dimelo refuses the structured message: 422, nothing was posted)."""
        max_chars = self._settings.max_reply_chars
        text, structured = choices.reply_form(
            decision.text, decision.choices, content.capabilities_supported, max_chars
        )
        if structured is None:
            return await self._post(content, thread, text, journal, work)
        try:
            return await self._post(content, thread, text, journal, work, structured)
        except grpc.aio.AioRpcError as error:
            if DIMELO_ADAPTER.reason(error) != dimelo_pb2.ERROR_REASON_DIMELO_REFUSED:
                raise
            log.warning("structured reply refused, posting the choices as a list: %s", describe(error))
        numbered = choices.numbered(decision.text, decision.choices, max_chars)
        return await self._post(content, thread, numbered, journal, work)

    async def _post(
        self,
        content: events_pb2.Content,
        thread: ThreadState,
        text: str,
        journal: Journal,
        work: UnitOfWork,
        structured: dimelo_pb2.StructuredContent | None = None,
    ) -> ThreadState:
        """Posts the bot's one reply to the customer's content, never twice: after a lost answer, look first."""
        if "posted" in journal:
            return thread
        reply = None
        if "posting" in journal:
            reply = await self._earlier_reply(content, thread, journal["posting"], work)
        if reply is None:
            # Proves the lease, then posts at once; until `settled_by` the call may still reach Dimelo.
            work.record_step(content.id, "posting", settled_by=time.time() + self._effect_timeout)
            await work.commit()
            try:
                response = await self._dimelo.CreateReply(
                    dimelo_pb2.CreateReplyRequest(
                        in_reply_to_id=content.id,
                        body=text,
                        private_message=content.private_message,
                        open_intervention_if_required=True,
                        structured_content=structured,
                    ),
                    timeout=self._effect_timeout,
                )
            except grpc.aio.AioRpcError as error:
                if DIMELO_ADAPTER.reason(error) not in MAY_STILL_LAND:  # the call is over: nothing is on its way
                    work.record_step(content.id, "posting", settled_by=0.0)
                    await work.commit()  # now: a handover after this failure reads the journal again
                raise
            reply = response.content
            if response.opened_intervention_id:
                thread = replace(thread, intervention_id=response.opened_intervention_id)
                work.save_thread(thread)
        work.add_message(content.thread_id, _history_entry(reply, "bot"))
        work.record_step(content.id, "posted", reply_id=reply.id, intervention_id=thread.intervention_id)
        log.info("reply posted", extra={"reply_id": reply.id, "intervention_id": thread.intervention_id})
        return thread


def _history_entry(content: events_pb2.Content, author: str) -> HistoryMessage:
    return HistoryMessage(content.id, author, content.body)


_AUTHORS = {"customer": ai_pb2.AUTHOR_CUSTOMER, "bot": ai_pb2.AUTHOR_BOT, "agent": ai_pb2.AUTHOR_AGENT}


def _ai_message(entry: HistoryMessage) -> ai_pb2.Message:
    return ai_pb2.Message(content_id=entry.content_id, author=_AUTHORS[entry.author], body=entry.body)
