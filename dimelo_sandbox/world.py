"""The sandbox's state: every record by id, with creation helpers and lookups that answer 404 like Dimelo."""

from collections.abc import Callable
from typing import Any, TypeVar

from dimelo_sandbox.errors import not_found
from dimelo_sandbox.ids import IdFactory
from dimelo_sandbox.model import (
    Category,
    Channel,
    ChannelStatus,
    Content,
    Identity,
    Intervention,
    Source,
    Thread,
    User,
)

T = TypeVar("T")


def _lookup(records: dict[str, T], ident: str, what: str) -> T:
    record = records.get(ident)
    if record is None:
        raise not_found(what, ident)
    return record


class World:
    """All records of one Dimelo domain, in memory."""

    def __init__(self, ids: IdFactory, clock: Callable[[], float]) -> None:
        self.ids = ids
        self.clock = clock
        self.domain_id = ids.object_id()
        self.bot_user_id = ""
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}
        self.identities: dict[str, Identity] = {}
        self.sources: dict[str, Source] = {}
        self.channels: dict[str, Channel] = {}
        self.categories: dict[str, Category] = {}
        self.threads: dict[str, Thread] = {}
        self.contents: dict[str, Content] = {}
        self.interventions: dict[str, Intervention] = {}
        self.intervention_comments: dict[str, Any] = {}  # see rest/intervention_comments.py
        self._user_identities: dict[tuple[str, str], str] = {}

    # Creation

    def add_user(self, name: str, kind: str, permissions: frozenset[str], category_ids: list[str]) -> User:
        user = User(self.ids.object_id(), name, kind, permissions, list(category_ids), created_at=self.clock())
        self.users[user.id] = user
        return user

    def add_token(self, token: str, user_id: str) -> None:
        self.tokens[token] = user_id

    def add_channel(self, name: str) -> Channel:
        channel = Channel(self.ids.object_id(), name, created_at=self.clock())
        self.channels[channel.id] = channel
        return channel

    def add_category(self, name: str, role: str | None) -> Category:
        category = Category(self.ids.object_id(), name, role, created_at=self.clock())
        self.categories[category.id] = category
        return category

    def add_source(self, name: str, type_: str, channel_id: str | None, **options: Any) -> Source:
        """A source with its company identity (the account the source itself writes as), on a channel if given."""
        company = self.add_identity("", name, "company")
        source = Source(self.ids.object_id(), name, type_, company.id, created_at=self.clock(), **options)
        company.source_id = source.id
        self.sources[source.id] = source
        if channel_id is not None:
            self.channel(channel_id).source_ids.append(source.id)
        return source

    def add_identity(self, source_id: str, name: str, kind: str, user_id: str | None = None) -> Identity:
        identity = Identity(self.ids.object_id(), source_id, name, kind, user_id)
        self.identities[identity.id] = identity
        return identity

    def add_thread(self, thread: Thread) -> Thread:
        self.threads[thread.id] = thread
        return thread

    def add_content(self, content: Content) -> Content:
        self.contents[content.id] = content
        thread = self.threads[content.thread_id]
        thread.content_ids.append(content.id)
        thread.content_category_ids.update(dict.fromkeys(content.category_ids))
        return content

    def add_intervention(self, intervention: Intervention) -> Intervention:
        self.interventions[intervention.id] = intervention
        self.threads[intervention.thread_id].intervention_ids.append(intervention.id)
        return intervention

    # Lookups (404 when missing)

    def user(self, ident: str) -> User:
        return _lookup(self.users, ident, "user")

    def source(self, ident: str) -> Source:
        return _lookup(self.sources, ident, "source")

    def channel(self, ident: str) -> Channel:
        return _lookup(self.channels, ident, "channel")

    def category(self, ident: str) -> Category:
        return _lookup(self.categories, ident, "category")

    def thread(self, ident: str) -> Thread:
        return _lookup(self.threads, ident, "content thread")

    def content(self, ident: str) -> Content:
        return _lookup(self.contents, ident, "content")

    def intervention(self, ident: str) -> Intervention:
        return _lookup(self.interventions, ident, "intervention")

    def identity(self, ident: str) -> Identity:
        return _lookup(self.identities, ident, "identity")

    def user_for_token(self, token: str) -> User | None:
        user_id = self.tokens.get(token)
        return self.users.get(user_id) if user_id else None

    def channel_of(self, source_id: str) -> Channel | None:
        return next((c for c in self.channels.values() if source_id in c.source_ids), None)

    def user_identity(self, user: User, source_id: str) -> Identity:
        """The user's identity on a source, made on first use (Dimelo's "token's user first identity on source")."""
        key = (user.id, source_id)
        if key not in self._user_identities:
            self._user_identities[key] = self.add_identity(source_id, user.name, "user", user.id).id
        return self.identities[self._user_identities[key]]

    def open_intervention(self, thread: Thread) -> Intervention | None:
        """The thread's open intervention (one at most), closing ones included."""
        for ident in reversed(thread.intervention_ids):
            intervention = self.interventions[ident]
            if not intervention.closed:
                return intervention
        return None

    def categories_with_role(self, role: str) -> list[str]:
        return [c.id for c in self.categories.values() if c.role == role]

    def agents(self) -> list[User]:
        return [u for u in self.users.values() if u.kind == "agent"]

    def set_presence(self, user: User, channel_id: str, status: str | None, busyness: str) -> None:
        user.channel_statuses[channel_id] = ChannelStatus(status, busyness)
