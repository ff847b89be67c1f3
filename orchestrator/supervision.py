"""Supervised background loops: a loop survives the errors it can (logged, counted, backed off, then on), and one
it cannot survive marks the process failed, so that it turns unready and exits for its supervisor to restart it."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from orchestrator.database import STORE_ERRORS
from orchestrator.metrics import LOOP_ERRORS

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 2.0


class Supervisor:
    """Runs named loops; `failed` is set once one of them met an error it cannot survive (`failure`)."""

    def __init__(self) -> None:
        self.failed = asyncio.Event()
        self.failure = ""
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def run(
        self,
        name: str,
        iteration: Callable[[], Awaitable[bool]],
        survivable: tuple[type[BaseException], ...] = STORE_ERRORS,
    ) -> None:
        """Runs `iteration` again and again until it returns False. A `survivable` error is logged, counted and
        retried after a backoff (0.1 s doubling up to 2 s); any other error ends the loop and fails the process."""
        self._tasks[name] = asyncio.create_task(self._loop(name, iteration, survivable), name=name)

    def alive(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    async def wait(self, name: str) -> None:
        """Waits for a loop to end by itself (its iteration returned False)."""
        if name in self._tasks:
            await asyncio.gather(self._tasks[name], return_exceptions=True)

    async def stop(self) -> None:
        """Cancels every loop still running."""
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def _loop(
        self, name: str, iteration: Callable[[], Awaitable[bool]], survivable: tuple[type[BaseException], ...]
    ) -> None:
        failures = 0
        while True:
            try:
                if not await iteration():
                    return
            except survivable as error:
                failures += 1
                LOOP_ERRORS.labels(name, "survived").inc()
                delay = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (failures - 1))
                log.warning(
                    "%s: %s (failure %d in a row); trying again in %.1f s",
                    name,
                    _describe(error),
                    failures,
                    delay,
                    extra={"loop": name},
                )
                await asyncio.sleep(delay)
                continue
            except Exception as error:  # anything else is a state this process must not go on in
                LOOP_ERRORS.labels(name, "fatal").inc()
                log.critical(
                    "%s cannot go on: %s; the process stops so that it is restarted",
                    name,
                    _describe(error),
                    exc_info=True,
                    extra={"loop": name},
                )
                self.failure = f"{name}: {_describe(error)}"
                self.failed.set()
                return
            if failures:
                log.info("%s works again after %d failure(s)", name, failures, extra={"loop": name})
                failures = 0


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
