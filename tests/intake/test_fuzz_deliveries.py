"""Fuzz: thousands of signed deliveries, mutated by a seeded mutator, through the real gateway and orchestrator.

In: FUZZ_DELIVERIES deliveries (default: 5,000 on SQLite, 1,000 on PostgreSQL to keep `make test` short) of 1 to 6
events each. Each has a few mutations: a field's value
replaced (NUL, lone surrogate, huge string or number, wrong type), a key dropped or added, an event replaced by
something that is not an event, an event sent twice; one delivery in eight is also damaged as a whole (cut short,
bytes flipped, wrapped in a list). Out: no 5xx at all; 200 for every delivery that still holds an untouched, hence
well-formed, event (the others may get 400, when what is left is not a delivery). The counts are printed.
"""

import asyncio
import copy
import json
import os
import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.intake.conftest import Edge, message

DEFAULT_DELIVERIES = {"sqlite": 5000, "postgres": 1000}
# Deliveries in flight at once, as Dimelo's parallel webhook calls would be.
CONCURRENCY = 8
POISON = [
    "",
    "a\x00b",
    "\x00",
    "\ud800",
    "\udfff-x",
    "é" * 300,
    "x" * 20_000,
    "\u2028",
    "😀",
    0,
    -1,
    10**30,
    10**400,
    1.5e308,
    -0.0,
    True,
    None,
    [],
    {},
    ["a\x00"],
    {"a": {"b": [None]}},
    "2024-13-45T99:99:99Z",
]


def _leaves(node: object, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*path, key))] or [path]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in _leaves(value, (*path, i))] or [path]
    return [path]


def _set(root: dict, path: tuple, value: object) -> None:
    for key in path[:-1]:
        root = root[key]
    root[path[-1]] = value


def _mutate_event(rng: random.Random, event: object) -> object:
    """One mutation of one event."""
    kind = rng.randrange(5)
    leaves = [leaf for leaf in _leaves(event) if leaf]
    if kind == 0 or not leaves or not isinstance(event, dict):
        return rng.choice([42, "event", None, [event], {"nested": event}])
    path = rng.choice(leaves)
    if kind == 1:  # drop a key
        parent = event
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
    elif kind == 2:  # add a key to the innermost object on the path
        node = parent = event
        for key in path[:-1]:
            node = node[key]
            parent = node if isinstance(node, dict) else parent
        parent[rng.choice(["extra", "\x00", "id", "metadata"])] = copy.deepcopy(rng.choice(POISON))
    else:  # replace a value
        _set(event, path, copy.deepcopy(rng.choice(POISON)))
    return event


def fuzzed(rng: random.Random, number: int) -> tuple[bytes, bool]:
    """A mutated delivery's body, and whether it still holds an untouched (well-formed) event."""
    events = [message(f"f{number}-{n}", thread_id=f"t{number}-{n % 2}") for n in range(rng.randint(1, 6))]
    touched = set()
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(events))
        touched.add(position)
        events[position] = _mutate_event(rng, events[position])
    if rng.random() < 0.1:  # an event sent twice in the delivery
        events.append(copy.deepcopy(rng.choice(events)))
    intact = len(touched) < len(set(range(len(events))) | touched)
    body = json.dumps({"id": f"d{number}", "domain_id": "dom", "events": events}).encode()
    if rng.random() < 0.125:
        damage = rng.randrange(3)
        if damage == 0:
            body = body[: rng.randrange(len(body))]
        elif damage == 1:
            flipped = bytearray(body)
            for _ in range(rng.randint(1, 5)):
                flipped[rng.randrange(len(flipped))] = rng.randrange(256)
            body = bytes(flipped)
        else:
            body = b"[" + body + b"]"
        intact = False
    return body, intact


@pytest.fixture
def store_folder() -> Iterator[Path]:
    """The SQLite store in memory when the machine has a RAM disk: this checks the edge's answers, not the disk."""
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as folder:
        yield Path(folder)


@pytest.mark.slow
async def test_fuzzed_deliveries_never_get_5xx_and_well_formed_ones_get_200(edge: Edge) -> None:
    store = "postgres" if edge.database_url else "sqlite"
    deliveries = int(os.environ.get("FUZZ_DELIVERIES", DEFAULT_DELIVERIES[store]))
    rng = random.Random(1313)
    cases = [fuzzed(rng, number) for number in range(deliveries)]
    statuses: Counter = Counter()
    refused_with_good_event: list[tuple[int, str]] = []
    gate = asyncio.Semaphore(CONCURRENCY)

    async def send(body: bytes, intact: bool) -> None:
        async with gate:
            response = await edge.deliver(body)
        statuses[(response.status_code, intact)] += 1
        if intact and response.status_code != 200:
            refused_with_good_event.append((response.status_code, response.text[:200]))

    await asyncio.gather(*(send(body, intact) for body, intact in cases))
    print(f"\nfuzz on {store}: {deliveries} deliveries; (status, holds a well-formed event): {dict(statuses)}")
    stats = await edge.store.stats()
    print(f"fuzz on {store}: quarantined items {stats.quarantined}, dead (malformed) {stats.dead}")
    assert sum(count for (status, _), count in statuses.items() if status >= 500) == 0
    assert refused_with_good_event == []
    assert {status for status, _ in statuses} <= {200, 400}
