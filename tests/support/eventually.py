"""`eventually(probe, until)`: the one "ask again until it holds, or time out" loop of the tests, for coroutines
(`await eventually(...)`) and for plain calls (`eventually_sync(...)`, the process stacks' tests)."""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class _Deadline:
    def __init__(self, timeout: float, what: str) -> None:
        self._timeout, self._what = timeout, what
        self._end = time.monotonic() + timeout

    def reached(self, answer: object, until: Callable[[T], object]) -> bool:
        """True when `until(answer)` holds; TimeoutError, naming what was awaited and the last answer, once past."""
        if until(answer):  # type: ignore[arg-type]
            return True
        if time.monotonic() > self._end:
            raise TimeoutError(f"{self._what} not reached within {self._timeout:g} s; last seen: {answer!r}")
        return False


async def eventually(
    probe: Callable[[], Awaitable[T] | T],
    until: Callable[[T], object] = bool,
    *,
    timeout: float = 5.0,
    interval: float = 0.02,
    what: str = "the expected state",
) -> T:
    """Calls `probe` (sync or async) every `interval` seconds until `until(answer)` holds and returns that answer;
    after `timeout` seconds, TimeoutError naming `what` and the last answer."""
    deadline = _Deadline(timeout, what)
    while True:
        answer = probe()
        if inspect.isawaitable(answer):
            answer = await answer
        if deadline.reached(answer, until):
            return answer  # type: ignore[return-value]
        await asyncio.sleep(interval)


def eventually_sync(
    probe: Callable[[], T],
    until: Callable[[T], object] = bool,
    *,
    timeout: float = 5.0,
    interval: float = 0.05,
    what: str = "the expected state",
) -> T:
    """`eventually` for plain calls, sleeping the thread between them."""
    deadline = _Deadline(timeout, what)
    while True:
        answer = probe()
        if deadline.reached(answer, until):
            return answer
        time.sleep(interval)
