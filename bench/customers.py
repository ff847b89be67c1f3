"""Customers writing in the sandbox through its control API, and when the bot's replies arrived, as the sandbox saw it.

Times come from the sandbox's transcripts (millisecond precision, the machine's clock): a customer content's
`created_at` is when Dimelo imported it (and queued its webhook event), a bot reply's is when Dimelo received it.
"""

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx

# FAQ questions the reference AI answers (it hands over otherwise, which is another path).
QUESTIONS = (
    "What are your opening hours?",
    "How long does delivery take?",
    "How can I track my order?",
    "What payment methods do you accept?",
    "How do I return an item?",
)
SENDERS = 8  # control API calls in flight at once
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Sent:
    thread_id: str
    content_id: str


@dataclass(frozen=True)
class Answered:
    """A customer message and the moment the bot's reply to it reached the sandbox (None: no reply yet)."""

    written_at: float
    replied_at: float | None


class Customers:
    def __init__(self, sandbox: httpx.AsyncClient) -> None:
        self._sandbox = sandbox
        self._count = 0

    async def write(self, thread_ids: Sequence[str | None], body: str = "") -> list[Sent]:
        """One message per entry (None: in a new thread), as fast as the sandbox takes them; in entry order. Each
        is an FAQ question, or `body` when given."""
        slots = asyncio.Semaphore(SENDERS)

        async def one(thread_id: str | None) -> Sent:
            async with slots:
                return await self._write(thread_id, body)

        return list(await asyncio.gather(*(one(t) for t in thread_ids)))

    async def write_paced(self, thread_ids: Sequence[str | None], rate: float) -> list[Sent]:
        """One message per entry, started at `rate` per second whatever the answers' pace."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks = []
        for index, thread_id in enumerate(thread_ids):
            await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
            tasks.append(asyncio.create_task(self._write(thread_id)))
        return list(await asyncio.gather(*tasks))

    async def write_in_waves(self, thread_ids: Sequence[str | None], wave: int, timeout: float) -> list[Sent]:
        """One message per entry, in waves of `wave` messages written at once; a wave waits until the last message
        of the wave two before it was answered. At most about two waves wait for a reply, so the bridge is kept busy
        without a backlog of pending events building up in the orchestrator."""
        sent: list[Sent] = []
        for start in range(0, len(thread_ids), wave):
            if start >= 2 * wave:
                await self.wait_answered([sent[start - wave - 1]], timeout)
            sent += await self.write(thread_ids[start : start + wave])
        return sent

    async def _write(self, thread_id: str | None, body: str = "") -> Sent:
        self._count += 1
        payload = {"body": f"{body or QUESTIONS[self._count % len(QUESTIONS)]} (#{self._count})"}
        if thread_id:
            payload["thread_id"] = thread_id
        answer = await self._sandbox.post("/_sandbox/messages", json=payload)
        answer.raise_for_status()
        data = answer.json()
        return Sent(data["thread_id"], data["content"]["id"])

    async def wait_answered(self, sent: Sequence[Sent], timeout: float) -> list[Answered]:
        """Waits until every message has a bot reply (or `timeout`), then returns each one's times.

        Messages are answered about in the order written, so the last one is watched first; then every thread is
        read once, and only the threads still missing a reply again."""
        if not sent:
            return []
        deadline = time.monotonic() + timeout
        last = sent[-1]
        while time.monotonic() < deadline and (await self._times([last]))[0].replied_at is None:
            await asyncio.sleep(POLL_SECONDS)
        results = await self._times(sent)
        while time.monotonic() < deadline and any(r.replied_at is None for r in results):
            await asyncio.sleep(POLL_SECONDS * 4)
            missing = [i for i, r in enumerate(results) if r.replied_at is None]
            for index, fresh in zip(missing, await self._times([sent[i] for i in missing]), strict=True):
                results[index] = fresh
        return results

    async def transcripts(self, thread_ids: Sequence[str]) -> dict[str, dict]:
        """The sandbox's transcript of each thread (its contents in Dimelo's order, its interventions), by id."""
        slots = asyncio.Semaphore(SENDERS)

        async def transcript(thread_id: str) -> dict:
            async with slots:
                answer = await self._sandbox.get(f"/_sandbox/threads/{thread_id}")
                answer.raise_for_status()
                return answer.json()

        unique = list(dict.fromkeys(thread_ids))
        return dict(zip(unique, await asyncio.gather(*(transcript(t) for t in unique)), strict=True))

    async def _times(self, sent: Sequence[Sent]) -> list[Answered]:
        transcripts = await self.transcripts([s.thread_id for s in sent])
        written: dict[str, float] = {}
        replied: dict[str, float] = {}
        for data in transcripts.values():
            for content in data["contents"]:
                at = _timestamp(content["created_at"])
                if content["author_kind"] == "customer":
                    written[content["id"]] = at
                elif content["author_kind"] == "bot" and content["in_reply_to_id"]:
                    replied.setdefault(content["in_reply_to_id"], at)
        return [Answered(written[s.content_id], replied.get(s.content_id)) for s in sent]


def _timestamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
