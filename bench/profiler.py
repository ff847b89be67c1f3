"""py-spy samples of each service while a block runs, summed up: where each process spends its time.

py-spy samples the Python stack of every thread that is not idle, 100 times a second; a sample in native code
(uvloop, grpc's core, SQLite, httptools) counts for the Python function that called it."""

import asyncio
import re
import signal
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

RATE_HZ = 100
STOP_TIMEOUT_SECONDS = 30
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
_SITE = "site-packages/"
# Frames that every stack of a thread or of the event loop goes through: they say nothing of where time goes.
_PLUMBING = (
    "runpy",
    "__main__.py",
    "asyncio/runners.py",
    "asyncio/base_events.py",
    "asyncio/events.py",
    "threading.py",
    "concurrent/futures/thread.py",
    "uvicorn/server.py",
    "uvicorn/main.py",
    "uvicorn/_compat.py",
    "uvloop/",
)


class Profiler:
    """`async with Profiler(py_spy, pids, workdir) as profiler:` records; `profiler.summary()` after the block."""

    def __init__(self, py_spy: Path, pids: Mapping[str, int], workdir: Path) -> None:
        self._py_spy = py_spy
        self._pids = dict(pids)
        self._outputs = {name: workdir / f"profile-{name}.txt" for name in self._pids}
        self._processes: list[asyncio.subprocess.Process] = []

    async def __aenter__(self) -> "Profiler":
        for name, pid in self._pids.items():
            command = [
                str(self._py_spy),
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(RATE_HZ),
                "--nonblocking",
                "--format",
                "raw",
                "--output",
                str(self._outputs[name]),
                "--duration",
                "3600",
            ]
            self._processes.append(
                await asyncio.create_subprocess_exec(
                    *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
                )
            )
        return self

    async def __aexit__(self, *_) -> None:
        for process in self._processes:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)  # py-spy writes its samples on Ctrl-C
        await asyncio.wait_for(asyncio.gather(*(p.wait() for p in self._processes)), STOP_TIMEOUT_SECONDS)

    def summary(self, top: int = 12) -> list[str]:
        """Per service: the share of samples under each function (inclusive), plumbing frames left out."""
        lines = []
        for name, output in self._outputs.items():
            stacks = _read(output)
            total = sum(stacks.values())
            lines.append(f"{name}: {total:,} samples")
            inclusive: Counter[str] = Counter()
            for stack, count in stacks.items():
                frames = {_label(frame) for frame in stack.split(";")}
                inclusive.update({frame: count for frame in frames if frame})
            lines.extend(f"  {count / total:6.1%}  {frame}" for frame, count in inclusive.most_common(top))
        return lines


def _read(path: Path) -> Counter[str]:
    stacks: Counter[str] = Counter()
    if not path.exists():
        return stacks
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            stacks[stack] += int(count)
    return stacks


def _label(frame: str) -> str:
    """ "function (package/file.py)", or "" for plumbing frames."""
    found = _FRAME.match(frame)
    if not found:
        return frame
    file = found["file"]
    if file.startswith("<") or any(part in file for part in _PLUMBING):
        return ""
    short = file.split(_SITE, 1)[1] if _SITE in file else "/".join(Path(file).parts[-2:])
    return f"{found['function']} ({short})"
