"""The orchestrator's settings, from the environment."""

import socket
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service_kit.settings import ServiceSettings


class NoAgentPolicy(StrEnum):
    """What to do when the AI hands over and no agent is available on the source's channel."""

    # Tell the customer agents are busy, and recategorize the thread anyway so the first free agent takes it.
    QUEUE = "queue"
    # Tell the customer agents are busy and keep the thread with the bot (the customer may write again later).
    KEEP_WITH_BOT = "keep_with_bot"


class Handback(StrEnum):
    """Whether a thread the agents hold comes back to the bot (orchestrator/handback.py has the rule)."""

    OFF = "off"
    # Back to the bot when it is in a bot category and no agent category, once an agent closes their intervention,
    # or, for a thread the bot recategorized for the agents, when the customer writes again.
    ON = "on"


IdList = Annotated[list[str], NoDecode]


class StoreSettings(BaseSettings):
    """Where the orchestrator's state lives; also read by `python -m orchestrator.admin`.

    Every value can be set by the environment variable of the same name in upper case."""

    # hide_input_in_errors: a validation error never quotes the values read, the database URL among them.
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, hide_input_in_errors=True)

    # SQLite database file of the durable store (events, journal, thread states), for a single replica.
    orchestrator_db_path: Path = Path("var/orchestrator.sqlite3")
    # PostgreSQL DSN (postgresql://user:pass@host/db): when set, the store lives there and replicas share it.
    orchestrator_database_url: SecretStr = SecretStr("")
    # How long a replica's claim on a thread lasts without renewal (a crashed replica's threads wait this long,
    # unless it comes back under the same ORCHESTRATOR_REPLICA_ID).
    lease_seconds: float = Field(30.0, gt=0)
    # PostgreSQL: connections in the pool (broken ones are replaced: the store heals once the server is back).
    store_pool_size: int = Field(4, ge=1)
    # Longest wait for the store (a pooled connection, SQLite's lock) before the call fails and is retried later.
    store_timeout_seconds: float = Field(5.0, gt=0)
    # The scheduler's poll of the store when nothing wakes it sooner: a safety net, since new events wake it (this
    # replica's intake, PostgreSQL's NOTIFY from the others) and it computes when retries and others' leases end.
    store_poll_seconds: float = Field(30.0, gt=0)


class IntakeSettings(StoreSettings):
    """How events are taken in; also read by `python -m orchestrator.admin` to replay quarantined events."""

    # Only act on these sources (comma-separated ids); empty: every source the webhook sends.
    bot_source_ids: IdList = Field(default_factory=list)
    # How long a new event waits before processing when nothing shows that the earlier events of its thread are all
    # here (orchestrator/ordering.py), so that an earlier message Dimelo delivers a moment later (order is not
    # guaranteed) is answered first. Adds as much to such an event's answer time.
    ordering_window_seconds: float = 0.3
    # The longest that window grows while Dimelo's deliveries come unevenly late (a backlog: orchestrator/ordering.py).
    ordering_window_max_seconds: float = Field(5.0, ge=0)
    # Give threads back to the bot when the agents return them (see Handback).
    handback: Handback = Handback.OFF

    @field_validator("agent_category_ids", "bot_source_ids", "bot_category_ids", mode="before", check_fields=False)
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class Settings(IntakeSettings, ServiceSettings):
    """The orchestrator's settings (GRPC_TLS_* turn TLS on: service_kit.grpc_tls)."""

    # This replica's stable name in the thread leases (the pod's name in Kubernetes, the container's host name in
    # Compose): a replica restarted under the same name takes its threads back at once. Unique per replica.
    orchestrator_replica_id: str = Field(default_factory=socket.gethostname, min_length=1)
    # Handled events, their journal and history, and quarantined bodies are deleted after this many days (dead
    # letters stay until replayed); checked every RETENTION_INTERVAL_SECONDS by the orchestrator itself.
    retention_days: float = Field(7.0, gt=0)
    retention_interval_seconds: float = Field(3600.0, gt=0)
    orchestrator_listen_addr: str = "[::]:50051"
    ai_addr: str = "localhost:50052"
    dimelo_adapter_addr: str = "localhost:50053"
    # The thread categories agents see: a handover sets these on the thread (comma-separated ids, at least one).
    agent_category_ids: Annotated[list[str], NoDecode, Field(min_length=1)]
    # Only act on threads carrying one of these categories (the bot's); empty: don't check.
    bot_category_ids: IdList = Field(default_factory=list)
    # How long a thread seen in a bot category is taken to stay there (no event tells when categories change; our
    # handovers and agents' replies do move it): it is read again (GET /1.0/content_threads/:id) after this long.
    # 0: read for every message.
    bot_category_recheck_seconds: float = Field(600.0, ge=0)
    ai_deadline_seconds: float = 8.0
    # Deadline of each call to the Dimelo adapter (which retries safe calls to Dimelo within it).
    adapter_timeout_seconds: float = 60.0
    # How many times a message is retried (with backoff, RETRY_BASE_SECONDS doubling) while the AI service is
    # unreachable, before handing over; each attempt fails at once, without waiting for the deadline.
    ai_unavailable_retries: int = 4
    # Open a bot intervention on the customer's content before the bot's first answer in a thread.
    open_intervention: bool = True
    # Close the thread when the AI says the conversation is finished.
    close_thread_when_finished: bool = False
    # Posted to the customer just before a handover to an available agent; empty to post nothing.
    handover_message: str = "I'm passing you to one of our agents, who will answer you here shortly."
    # On a handover, leave the agents a private note (an intervention comment) with the AI's reason and explanation.
    handover_note: bool = True
    no_agent_policy: NoAgentPolicy = NoAgentPolicy.QUEUE
    # Posted when the AI hands over and no agent is available; empty to post nothing.
    no_agent_message: str = (
        "All our agents are busy at the moment. One of them will answer you here as soon as possible."
    )
    # Longest reply posted, in characters; longer answers are cut at a word boundary.
    max_reply_chars: int = 2000
    # How many earlier messages of the thread the AI receives.
    history_size: int = 20
    # How many threads are processed at once (messages of one thread are always processed one at a time).
    max_parallel_threads: int = 32
    # Retries of a message whose processing failed for a transient reason, before it becomes a dead letter.
    max_attempts: int = 8
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 300.0
    grace_seconds: float = 10.0
    # Write the customers' messages and the bot's answers in the logs (customer data: off by default).
    log_message_bodies: bool = False
    # Prometheus metrics (and the conversation page) at http://<host>:<port>/metrics; port 0 for any free port (the
    # bound port is logged). Loopback by default: in Kubernetes, the pod's address, for Prometheus to scrape.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(9464, ge=0, le=65535)
    # How often readiness (the store answers, the AI and the adapter answer) is checked, in the background.
    readiness_interval_seconds: float = Field(5.0, gt=0)
