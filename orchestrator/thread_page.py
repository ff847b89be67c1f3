"""`GET /threads/THREAD_ID` on the orchestrator's metrics port: the conversation view as text, read-only, without
the messages' bodies (those stay with `python -m orchestrator.admin thread --bodies`)."""

import asyncio
import logging
from urllib.parse import unquote

from orchestrator.conversation_view import render_thread
from orchestrator.store import Store
from service_kit.metrics import Page

log = logging.getLogger(__name__)

PREFIX = "/threads/"
TIMEOUT_SECONDS = 10.0


def thread_page(store: Store, loop: asyncio.AbstractEventLoop) -> Page:
    """The page, reading the store on `loop` (the orchestrator's) from the HTTP server's threads."""

    def page(path: str) -> tuple[int, str] | None:
        if not path.startswith(PREFIX):
            return None
        thread_id = unquote(path.removeprefix(PREFIX))
        if not thread_id or "/" in thread_id:
            return 404, f"use {PREFIX}THREAD_ID\n"
        future = asyncio.run_coroutine_threadsafe(render_thread(store, thread_id), loop)
        try:
            return 200, future.result(TIMEOUT_SECONDS) + "\n"
        except Exception:  # the page says the store failed; the log says why
            future.cancel()
            log.warning("thread page not shown", exc_info=True, extra={"thread_id": thread_id})
            return 503, "the store did not answer; see the orchestrator's log\n"

    return page
