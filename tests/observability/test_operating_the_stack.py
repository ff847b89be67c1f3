"""What an operator sees of the real processes after three customer messages (two answered, one handed over):
each service's metrics, the traces they export over OTLP, their logs, and the conversation view."""

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from devstack.processes import Stack
from devstack.sandbox_client import SandboxClient
from tests.observability.otlp_collector import Collector, running_collector
from tests.support.eventually import eventually_sync
from tests.support.thread_page import event_fates

pytestmark = pytest.mark.e2e

QUESTIONS = ("Hello, what are your opening hours?", "Hi there, how long does delivery usually take?")
HUMAN_PLEASE = "I'd like to talk to a human, please."
OUR_SERVICES = ("gateway", "orchestrator", "dimelo_adapter", "ai_service")
TIMEOUT_SECONDS = 20.0


@dataclass
class Run:
    stack: Stack
    collector: Collector
    answered: list[dict]  # the sandbox's answers to the customers' messages: content, thread_id, event_id
    handed_over: dict


def _bot_answered(transcript: dict) -> bool:
    return any(content["author_kind"] == "bot" for content in transcript["contents"])


def _wait(condition, what: str):
    """Polls `condition()` until it returns something truthy, which it returns."""
    return eventually_sync(condition, timeout=TIMEOUT_SECONDS, what=what)


def _nothing_pending(stack: Stack, thread_ids: list[str]) -> bool:
    """No event of the threads is pending, as the orchestrator's thread page shows them."""
    metrics_url = stack.services["orchestrator"].metrics_url
    return not any(fate.pending for thread_id in thread_ids for fate in event_fates(metrics_url, thread_id))


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    """The stack with tracing exported to a local collector, debug logs, and readiness checked often; the three
    conversations played and every event processed."""
    with running_collector() as (collector, endpoint):
        env = {
            "LOG_LEVEL": "DEBUG",
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "READINESS_INTERVAL_SECONDS": "0.2",
        }
        with Stack(tmp_path_factory.mktemp("stack"), env=env) as stack:
            sandbox = SandboxClient(stack.sandbox_url)
            try:
                agents = stack.world["agent_category_ids"]
                answered = [sandbox.customer_writes(question) for question in QUESTIONS]
                handed_over = sandbox.customer_writes(HUMAN_PLEASE)
                for written in answered:
                    sandbox.wait_for(written["thread_id"], _bot_answered)
                sandbox.wait_for(
                    handed_over["thread_id"], lambda t: set(agents) <= set(t["thread"]["thread_category_ids"])
                )
            finally:
                sandbox.close()
            threads = [written["thread_id"] for written in [*answered, handed_over]]
            _wait(lambda: _nothing_pending(stack, threads), "every event to be processed")
            yield Run(stack, collector, answered, handed_over)


def scrape(run: Run, service: str) -> dict[tuple[str, frozenset], float]:
    """The service's metrics page as {(sample name, labels): value}."""
    page = httpx.get(run.stack.services[service].metrics_url, timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_each_service_counts_the_messages_the_answers_and_the_handover(run: Run):
    """In: 3 customer messages (2 FAQ questions, 1 request for a human), each after the chat's welcome message.
    Out: the gateway counts 6 content.imported events accepted; the orchestrator 3 queued and 3 welcome messages
    ignored, 2 answered, 1 handed over for customer_request with agents available, 3 AI decisions timed, 3
    replies posted (2 answers and the handover notice), an empty backlog and no dead letter; the adapter 3
    replies posted to Dimelo (200) and 1 recategorization; the AI service 3 Respond calls served."""
    gateway = scrape(run, "gateway")
    assert value(gateway, "botbridge_webhook_events_total", type="content.imported", disposition="accepted") == 6
    assert value(gateway, "botbridge_webhook_handshakes_total", outcome="confirmed") == 1
    assert value(gateway, "botbridge_webhook_deliveries_total", outcome="stored") >= 1

    def orchestrator_settled() -> dict | None:
        """The orchestrator's metrics once its readiness checks (which read the backlog) report an empty backlog:
        Dimelo's later events (the echoes of the bot's replies) may still be arriving."""
        samples = scrape(run, "orchestrator")
        checked = value(samples, "botbridge_dependency_up", dependency="store") == 1
        return samples if checked and value(samples, "botbridge_intake_backlog_events") == 0 else None

    orchestrator = _wait(orchestrator_settled, "an empty backlog")
    imported = {"type": "content.imported"}
    assert value(orchestrator, "botbridge_intake_events_total", **imported, outcome="queued", reason="") == 3
    welcome = {"outcome": "ignored", "reason": "status_user_initiated"}
    assert value(orchestrator, "botbridge_intake_events_total", **imported, **welcome) == 3
    assert value(orchestrator, "botbridge_events_processed_total", **imported, outcome="answered") == 2
    assert value(orchestrator, "botbridge_events_processed_total", **imported, outcome="handed_over") == 1
    assert value(orchestrator, "botbridge_handovers_total", reason="customer_request", agents="available") == 1
    assert value(orchestrator, "botbridge_ai_requests_total", result="answer") == 2
    assert value(orchestrator, "botbridge_ai_requests_total", result="handover") == 1
    assert value(orchestrator, "botbridge_ai_request_seconds_count", result="answer") == 2
    create_reply = {"grpc_service": "botbridge.dimelo.v1.DimeloService", "grpc_method": "CreateReply"}
    assert value(orchestrator, "grpc_client_handled_total", **create_reply, grpc_code="OK") == 3
    assert value(orchestrator, "botbridge_intake_oldest_pending_age_seconds") == 0
    assert value(orchestrator, "botbridge_dead_letters") == 0
    for dependency in ("store", "ai", "dimelo_adapter"):
        assert value(orchestrator, "botbridge_dependency_up", dependency=dependency) == 1

    adapter = scrape(run, "dimelo_adapter")
    assert value(adapter, "botbridge_dimelo_requests_total", operation="POST /1.0/contents", status="200") == 3
    recategorize = "PUT /1.0/content_threads/:id/update_categories"
    assert value(adapter, "botbridge_dimelo_requests_total", operation=recategorize, status="200") == 1
    assert value(adapter, "grpc_server_handled_total", **create_reply, grpc_code="OK") == 3

    ai = scrape(run, "ai_service")
    respond = {"grpc_service": "botbridge.ai.v1.AiService", "grpc_method": "Respond"}
    assert value(ai, "grpc_server_handled_total", **respond, grpc_code="OK") == 3


def test_no_metric_label_carries_an_id_or_a_secret(run: Run):
    """In: every sample of the four metrics pages. Out: no label value is a thread, content or event id of the
    run, and no page holds the access token, the verify token or the webhook secret."""
    ids = {written[key] for written in [*run.answered, run.handed_over] for key in ("thread_id", "event_id")}
    ids |= {written["content"]["id"] for written in [*run.answered, run.handed_over]}
    for service in ("gateway", "orchestrator", "dimelo_adapter", "ai_service"):
        page = httpx.get(run.stack.services[service].metrics_url, timeout=5).text
        for secret in _secrets(run.stack):
            assert secret not in page, f"a secret is on {service}'s metrics page"
        labels = {v for _, pairs in scrape(run, service) for _, v in pairs}
        assert not labels & ids, f"{service} labels metrics with ids: {labels & ids}"


def test_one_trace_crosses_the_processes_and_the_store(run: Run):
    """In: the spans the services exported over OTLP. Out: the handed-over message's processing span shares its
    trace id with the gateway's webhook span and the adapter's spans for the recategorization and its HTTP call."""
    content_id = run.handed_over["content"]["id"]

    def processing_trace() -> list | None:
        spans = run.collector.received()
        processing = [
            s for s in spans if s.span.name == "process event" and s.attributes.get("content_id") == content_id
        ]
        if not processing:
            return None
        trace = [s for s in spans if s.span.trace_id == processing[0].span.trace_id]
        names = {(s.service, s.span.name) for s in trace}
        wanted = {
            ("gateway", "webhook delivery"),
            ("orchestrator", "process event"),
            ("dimelo_adapter", "botbridge.dimelo.v1.DimeloService/UpdateThreadCategories"),
            ("dimelo_adapter", "Dimelo PUT /1.0/content_threads/:id/update_categories"),
        }
        return trace if wanted <= names else None

    trace = _wait(processing_trace, "the handed-over message's spans")
    assert {s.service for s in trace} >= {"gateway", "orchestrator", "dimelo_adapter"}
    exported = b"".join(run.collector.raw)
    for secret in _secrets(run.stack):
        assert secret.encode() not in exported


def test_logs_are_json_lines_with_ids_and_trace_ids_without_bodies_or_secrets(run: Run):
    """In: every service's output at DEBUG level. Out: the handed-over message's lines (gateway and orchestrator)
    carry one trace id, the orchestrator's lines about it carry its event, thread and content ids; the customers'
    words and every secret appear nowhere (bodies are off by default)."""
    logs = {name: run.stack.services[name].log_path.read_text() for name in OUR_SERVICES}
    for name, text in logs.items():
        for secret in _secrets(run.stack):
            assert secret not in text, f"a secret is in {name}'s output"
        for words in (*QUESTIONS, HUMAN_PLEASE):
            assert words not in text, f"a customer's message is in {name}'s output"

    content_id = run.handed_over["content"]["id"]
    lines = [
        json.loads(line)
        for name in ("gateway", "orchestrator")
        for line in logs[name].splitlines()
        if line.startswith("{")
    ]
    about = [line for line in lines if line.get("content_id") == content_id]
    assert {"event stored for processing", "the AI hands over: customer_request"} <= {line["msg"] for line in about}
    [trace_id] = {line["trace_id"] for line in about if line["service"] == "orchestrator"}
    assert all(line["thread_id"] == run.handed_over["thread_id"] for line in about)
    gateway_lines = [line for line in lines if line["service"] == "gateway" and line.get("trace_id") == trace_id]
    assert "delivery stored" in [line["msg"] for line in gateway_lines]


def test_the_conversation_view_shows_the_handover_and_its_reason(run: Run):
    """In: `python -m orchestrator.admin thread THREAD_ID` on the handed-over thread, then with --bodies, then the
    orchestrator's page /threads/THREAD_ID. Out: the thread is with agents for customer_request; the AI's decision,
    the notice posted and the recategorization are listed; the customer's words only with --bodies, never on the
    page, which shows the same history."""
    env = {"ORCHESTRATOR_DB_PATH": str(run.stack.workdir / "orchestrator.sqlite3")}

    def view(*options: str) -> str:
        command = [sys.executable, "-m", "orchestrator.admin", "thread", run.handed_over["thread_id"], *options]
        done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout

    shown = view()
    assert "with agents (handed over: customer_request)" in shown
    assert "AI handed over (customer_request)" in shown
    assert "Dimelo reply posted" in shown
    assert re.search(r"content\.imported +event \S+ content \S+ \(came \d+\.\d\d s after issued_at\)", shown)
    assert "Dimelo thread recategorized to" in shown
    assert "handed over (customer_request); agents available:" in shown
    assert HUMAN_PLEASE not in shown
    assert HUMAN_PLEASE in view("--bodies")

    base = run.stack.services["orchestrator"].metrics_url.removesuffix("/metrics")
    page = httpx.get(f"{base}/threads/{run.handed_over['thread_id']}", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    assert page.text == shown
    assert httpx.get(f"{base}/threads/", timeout=10).status_code == 404


def _secrets(stack: Stack) -> list[str]:
    return [stack.world["bot_user"]["token"], stack.verify_token, stack.webhook_secret]
