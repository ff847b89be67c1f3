"""The sandbox's in-memory records: what Dimelo stores about users, sources, threads, contents, interventions."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ChannelStatus:
    """An agent's presence on one channel, as `GET /1.0/status` reports it."""

    status: str | None = None  # None: not connected; "available"; "away"
    busyness: str = "unoccupied"  # "unoccupied", "ok", "busy", "full"


@dataclass
class User:
    """A Dimelo user. `kind`: "bot" (owns the first token), "agent" (works in the agent UI), "api" (another token)."""

    id: str
    name: str
    kind: str
    permissions: frozenset[str]
    category_ids: list[str] = field(default_factory=list)
    channel_statuses: dict[str, ChannelStatus] = field(default_factory=dict)
    custom_status_id: str | None = None
    created_at: float = 0.0


@dataclass
class Identity:
    """Who a content is written by on a source. `kind`: "customer", "company" (the source's own account) or "user"."""

    id: str
    source_id: str
    name: str
    kind: str
    user_id: str | None = None


@dataclass
class Source:
    id: str
    name: str
    type: str
    company_identity_id: str
    require_intervention_for_reply: bool = False
    initiate_discussion: bool = False
    default_category_ids: list[str] = field(default_factory=list)
    welcome_message: str | None = None
    # The status the welcome message is imported with: "user_initiated", or "new" as a customer's message has, for
    # accounts where only the REST content's auto_submitted tells it apart.
    welcome_status: str = "user_initiated"
    created_at: float = 0.0


@dataclass
class Channel:
    id: str
    name: str
    source_ids: list[str] = field(default_factory=list)
    created_at: float = 0.0


@dataclass
class Category:
    """A category; `role` "bot" makes it visible to the bot user only, "agent" to the agents."""

    id: str
    name: str
    role: str | None = None
    created_at: float = 0.0


@dataclass
class Content:
    """A message. `kind` says who made it: "customer", "welcome", "page_post", "api" or "agent"."""

    id: str
    thread_id: str
    source_id: str
    author_id: str
    kind: str
    body: str
    created_from: str
    status: str
    creator_id: str | None = None
    in_reply_to_id: str | None = None
    intervention_id: str | None = None
    private: bool = False
    first_in_thread: bool = False
    auto_submitted: bool = False
    foreign_id: str | None = None
    language: str | None = None
    type: str = "message"
    synchronization_status: str | None = None
    category_ids: list[str] = field(default_factory=list)
    created_at: float = 0.0
    updated_at: float = 0.0
    structured_content: dict[str, Any] | None = None  # a structured message's payload (dimelo_sandbox/structured.py)


@dataclass
class Intervention:
    id: str
    thread_id: str
    source_id: str
    content_id: str
    user_id: str
    identity_id: str
    closed: bool = False
    closing: bool = False
    closed_at: float | None = None
    user_replies_count: int = 0
    first_user_reply_id: str | None = None
    category_ids: list[str] = field(default_factory=list)
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass
class Thread:
    id: str
    source_id: str
    title: str
    customer_identity_id: str | None
    foreign_id: str
    closed: bool = False
    closing: bool = False
    categorizing: bool = False
    thread_category_ids: list[str] = field(default_factory=list)
    content_ids: list[str] = field(default_factory=list)
    intervention_ids: list[str] = field(default_factory=list)
    category_history: list[dict[str, Any]] = field(default_factory=list)
    content_category_ids: dict[str, None] = field(default_factory=dict)  # of all its contents, as an ordered set
    created_at: float = 0.0
    updated_at: float = 0.0
