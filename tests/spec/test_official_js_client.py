"""RingCentral's official JS client (npm `ringcentral-engage-client`, which sends JSON bodies) run with Node.js
against the sandbox, as a second client independent of our adapter; its exchanges are checked against the spec."""

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from tests.spec.spec_check import check_all

SCRIPT = Path(__file__).with_name("official_js_client.js")
ROOT = Path(__file__).parents[2]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (make setup needs it)")
async def test_the_official_js_client_works_against_the_sandbox(recording_sandbox):
    """In: a customer's message; the JS client reads users/me, searches the thread, replies and recategorizes with
    JSON bodies, reads /status. Out: it sees the bot user, the thread's 2 contents (welcome, message) newest first,
    its reply made by the bot in answer to the message, the thread in the agents' category, 3 agents; every
    exchange conforms to the spec."""
    message = await recording_sandbox.customer_says("Where is my parcel?")
    world = await recording_sandbox.world()
    environment = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "SANDBOX_URL": recording_sandbox.running.url,
        "TOKEN": world["bot_user"]["token"],
        "CONTENT_ID": message["content"]["id"],
        "THREAD_ID": message["thread_id"],
        "CATEGORY_ID": world["agent_category_ids"][0],
    }
    node = await asyncio.create_subprocess_exec(
        shutil.which("node"),
        str(SCRIPT),
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(node.communicate(), 60)
    assert node.returncode == 0, err.decode()
    seen = json.loads(out)

    assert seen["me"] == world["bot_user"]["id"]
    assert seen["searched"][0] == message["content"]["id"] and len(seen["searched"]) == 2
    assert seen["reply"]["creator_id"] == world["bot_user"]["id"]
    assert seen["reply"]["in_reply_to_id"] == message["content"]["id"]
    assert seen["thread_category_ids"] == [world["agent_category_ids"][0]]
    assert seen["agents"] == 3
    exchanges = recording_sandbox.records("rest")
    assert {e["content_type"].split(";")[0] for e in exchanges if e["method"] != "GET"} == {"application/json"}
    operations, problems = check_all(exchanges)
    assert problems == [] and len(operations) == 5
