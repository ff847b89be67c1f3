"""The dependency locks under requirements/, read as text: each names every package of its source list, pinned and
hashed; the services' lock holds no build or test tool; a package shared by two locks has one version."""

import re
from pathlib import Path

import pytest

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements"
LOCKS = ("runtime", "build", "dev", "deploy")
# What the image must not carry: the stub generator and the developers' tools.
NOT_AT_RUN_TIME = {
    "buf-bin",
    "grpcio-tools",
    "setuptools",
    "pytest",
    "pytest-asyncio",
    "hypothesis",
    "openapi-core",
    "ruff",
    "mypy",
    "mypy-protobuf",
    "uv",
}


def _name(requirement: str) -> str:
    """The normalised distribution name of a line such as `uvicorn[standard]` or `psycopg-binary==3.3.9 ; marker`."""
    name = re.split(r"[\[=<>~!;\s]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def wanted(source: str) -> set[str]:
    """The names a source list asks for, following its `-r` includes (`-c` constraints ask for nothing)."""
    names = set()
    for line in (REQUIREMENTS / f"{source}.in").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            names |= wanted(line.removeprefix("-r ").removesuffix(".in"))
        elif line and not line.startswith("-"):
            names.add(_name(line))
    return names


def pinned(lock: str) -> dict[str, tuple[str, int]]:
    """Each package of a lock: its version and how many hashes it lists."""
    entries = re.split(r"\n(?=[A-Za-z0-9])", (REQUIREMENTS / f"{lock}.txt").read_text())
    result = {}
    for entry in entries:
        if entry.startswith("#"):
            continue
        match = re.match(r"([A-Za-z0-9._\[\],-]+)==(\S+)", entry)
        assert match, f"{lock}.txt: not pinned with ==: {entry.splitlines()[0]}"
        result[_name(match.group(1))] = (match.group(2), entry.count("--hash=sha256:"))
    return result


@pytest.mark.parametrize("lock", LOCKS)
def test_a_lock_pins_and_hashes_everything_its_source_asks_for(lock: str) -> None:
    """In: requirements/<lock>.in and .txt. Out: every package asked for is in the lock, and every package of the
    lock has an exact version and at least one hash (pip's --require-hashes then refuses anything else)."""
    packages = pinned(lock)
    assert wanted(lock) <= set(packages), f"run `make lock`: {sorted(wanted(lock) - set(packages))} not locked"
    assert [name for name, (_, hashes) in packages.items() if hashes == 0] == []


def test_the_services_lock_holds_no_build_or_test_tool() -> None:
    """In: the runtime lock (what the image installs). Out: none of the stub generator's or the developers' tools."""
    assert set(pinned("runtime")) & NOT_AT_RUN_TIME == set()


def test_the_developers_run_the_versions_the_image_runs() -> None:
    """In: the runtime, build and dev locks. Out: a package in two of them has the same version in both."""
    runtime, build, dev = pinned("runtime"), pinned("build"), pinned("dev")
    for lock in (build, dev):
        shared = set(runtime) & set(lock)
        assert {n: runtime[n][0] for n in shared} == {n: lock[n][0] for n in shared}
    assert set(runtime) | set(build) <= set(dev)
