"""Handback: when a thread the agents hold comes back to the bot. Off unless HANDBACK=on.

The rule: a thread comes back when it sits in a bot category (one of BOT_CATEGORY_IDS, or any when that is empty)
and in no agent category (AGENT_CATEGORY_IDS), and either
- an agent closes their intervention on it (the `intervention.closed` event), or
- the customer writes again in a thread the bot itself recategorized for the agents (the `content.imported` event):
  an agent moved it back to a bot category.
Dimelo sends no event when a thread's categories change, so the thread is read (`GET /1.0/content_threads/:id`)
when one of these events arrives, never polled. A thread that comes back is the bot's again with no open bot
intervention: its next customer message starts a fresh bot turn, and the AI gets the thread's history, the agents'
messages included.
"""

import logging
import time
from dataclasses import replace

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from orchestrator.metrics import HANDBACKS
from orchestrator.settings import Handback, Settings
from orchestrator.store import AGENTS_OWNER, BOT_OWNER, ThreadState, UnitOfWork

log = logging.getLogger(__name__)

AGENT_REPLIED = "an agent replied"  # the handover reason when an agent took a thread the bot had not handed over


class HandbackRule:
    """Applies the rule above for one thread, when an event about it arrives."""

    def __init__(self, settings: Settings, dimelo: "dimelo_pb2_grpc.DimeloServiceAsyncStub") -> None:
        self._on = settings.handback is Handback.ON
        self._bot_categories = frozenset(settings.bot_category_ids)
        self._agent_categories = frozenset(settings.agent_category_ids)
        self._dimelo = dimelo

    async def intervention_closed(self, thread: ThreadState, work: UnitOfWork) -> bool:
        """An agent closed their intervention on the thread: True when the thread came back to the bot."""
        return await self._back_if_returned(thread, "intervention_closed", work) is not None

    async def customer_wrote(self, thread: ThreadState, work: UnitOfWork) -> ThreadState:
        """The customer writes in a thread the agents hold: the thread as it is now (the bot's again, or not)."""
        if thread.handover_reason == AGENT_REPLIED:
            return thread
        return await self._back_if_returned(thread, "customer_wrote", work) or thread

    async def _back_if_returned(self, thread: ThreadState, signal: str, work: UnitOfWork) -> ThreadState | None:
        """Gives the thread back to the bot (saved with `work`) when the rule says so: the thread as saved then,
        else None."""
        if not self._on or thread.owner != AGENTS_OWNER:
            return None
        response = await self._dimelo.GetThread(dimelo_pb2.GetThreadRequest(thread_id=thread.thread_id))
        categories = set(response.thread.thread_category_ids)
        in_bot_category = not self._bot_categories or bool(categories & self._bot_categories)
        if not in_bot_category or categories & self._agent_categories:
            return None
        back = replace(
            thread, owner=BOT_OWNER, intervention_id="", handover_reason="", bot_category_seen_at=time.time()
        )
        work.save_thread(back)
        work.once_committed(HANDBACKS.labels(signal).inc)
        log.info("thread handed back to the bot", extra={"thread_id": thread.thread_id, "signal": signal})
        return back
