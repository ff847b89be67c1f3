"""`await eventually(probe, until)`: the one "ask again until it holds, or time out" loop of the tests."""

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


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
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        answer = probe()
        if inspect.isawaitable(answer):
            answer = await answer
        if until(answer):  # type: ignore[arg-type]
            return answer  # type: ignore[return-value]
        if loop.time() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout:g} s; last seen: {answer!r}")
        await asyncio.sleep(interval)
