"""Drives the sandbox's control API: customers writing, agents' status, transcripts."""

import time
from collections.abc import Callable
from typing import Any

import httpx

# A JSON object as the control API sends and takes it.
Json = dict[str, Any]


class SandboxClient:
    """A thin client of the sandbox's `/_sandbox` control API."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=10)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Json:
        response = self._http.request(method, f"/_sandbox{path}", **kwargs)
        response.raise_for_status()
        answer: Json = response.json()
        return answer

    def world(self) -> Json:
        return self._call("GET", "/world")

    def customer_writes(self, body: str, thread_id: str | None = None, **fields: Any) -> Json:
        """A customer message (or `kind="welcome"` / `"page_post"`) in a new thread, or in `thread_id`."""
        payload: Json = {"body": body, **fields}
        if thread_id:
            payload["thread_id"] = thread_id
        return self._call("POST", "/messages", json=payload)

    def create_agent(self, name: str, **fields: Any) -> Json:
        return self._call("POST", "/agents", json={"name": name, **fields})

    def agent_replies(self, agent_id: str, in_reply_to_id: str, body: str) -> Json:
        return self._call(
            "POST", "/agent_replies", json={"agent_id": agent_id, "in_reply_to_id": in_reply_to_id, "body": body}
        )

    def set_all_agents(self, status: str | None, busyness: str) -> Json:
        return self._call("PUT", "/agents/status", json={"status": status, "busyness": busyness})

    def set_faults(self, faults: Json) -> Json:
        return self._call("PUT", "/faults", json=faults)

    def set_delivery(self, **options: Any) -> Json:
        return self._call("PUT", "/delivery", json=options)

    def transcript(self, thread_id: str) -> Json:
        return self._call("GET", f"/threads/{thread_id}")

    def wait_deliveries(self, timeout: float = 30.0) -> None:
        """Returns once the sandbox has no webhook request, retry or duplicate pending."""
        self._call("POST", "/deliveries/wait", json={"timeout": timeout}, timeout=timeout + 5)

    def stats(self) -> Json:
        """Counters: REST calls by status, deliveries by outcome, the webhook's state."""
        return self._call("GET", "/stats")

    def deliveries(self) -> list[Json]:
        records: list[Json] = self._call("GET", "/deliveries")["records"]
        return records

    def wait_for(self, thread_id: str, condition: Callable[[Json], bool], timeout: float = 15.0) -> Json:
        """Polls the thread's transcript until `condition(transcript)` holds; if it never does, TimeoutError with
        the transcript."""
        deadline = time.monotonic() + timeout
        while True:
            transcript = self.transcript(thread_id)
            if condition(transcript):
                return transcript
            if time.monotonic() > deadline:
                raise TimeoutError(f"thread {thread_id} never reached the expected state: {transcript}")
            time.sleep(0.05)
