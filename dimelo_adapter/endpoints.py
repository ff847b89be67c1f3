"""The Dimelo REST operations the adapter calls: how each may be retried and which right a 403 on it points to."""

from dataclasses import dataclass
from urllib.parse import quote

from dimelo_adapter.budget import Priority

_ASK_FOR_RIGHTS = "ask your Dimelo project manager for any right the token's user lacks; retrying will not help"


@dataclass(frozen=True)
class Endpoint:
    method: str
    # The path, with ":id" standing for the one id it takes, if any.
    route: str
    # What Dimelo requires of the call (rights of the token's user, state of the object), told on a 403.
    needs: str
    # For an operation that must not run twice: what to do when a request may or may not have been processed.
    # None when sending it twice does no harm.
    if_unsure: str | None = None
    # Its 409 means "a job on this object is in progress": retried like a 503.
    conflict_is_transient: bool = False
    # Its rank for a slot of the call budget.
    priority: Priority = Priority.LOOKUP

    @property
    def idempotent(self) -> bool:
        return self.if_unsure is None

    def path(self, object_id: str = "") -> str:
        """The path with the id in place, escaped so that no id can change the path or add a query."""
        return self.route.replace(":id", quote(object_id, safe=""))

    def denied_hint(self) -> str:
        return f"{self.needs}; {_ASK_FOR_RIGHTS}"

    def __str__(self) -> str:
        return f"{self.method} {self.route}"


CREATE_CONTENT = Endpoint(
    "POST",
    "/1.0/contents",
    "replying needs the right to reply on the content's source, an open thread, the content synchronized, and on"
    " some accounts an open intervention on it (see open_intervention_if_required)",
    if_unsure="the reply may exist all the same: look with FindReply before posting it again",
    priority=Priority.REPLY,
)
SEARCH_CONTENTS = Endpoint("GET", "/1.0/contents", "searching contents needs read access on their source")
GET_CONTENT = Endpoint("GET", "/1.0/contents/:id", "reading a content needs read access on its source")
OPEN_INTERVENTION = Endpoint(
    "POST",
    "/1.0/interventions",
    "opening an intervention needs the right to handle contents of the content's source",
    if_unsure="the intervention may be open all the same: read the content's intervention_id before opening one",
    priority=Priority.HANDOVER,
)
LIST_INTERVENTIONS = Endpoint(
    "GET", "/1.0/interventions", "listing a thread's interventions needs read access on its source"
)
CLOSE_INTERVENTION = Endpoint(
    "PUT",
    "/1.0/interventions/:id/close",
    "closing an intervention needs it open and with agent replies, the token's user as its owner"
    " (or with the permission to edit interventions), and read access on its source",
    priority=Priority.HANDOVER,
)
GET_INTERVENTION = Endpoint("GET", "/1.0/interventions/:id", "reading an intervention needs read access on its source")
CREATE_INTERVENTION_COMMENT = Endpoint(
    "POST",
    "/1.0/intervention_comments",
    "commenting an intervention needs read access on its source",
    if_unsure="the comment may exist all the same: sending it again would leave the note twice",
)
GET_THREAD = Endpoint("GET", "/1.0/content_threads/:id", "reading a thread needs read access on its source")
CLOSE_THREAD = Endpoint(
    "PUT",
    "/1.0/content_threads/:id/close",
    "closing a thread needs the 'close content thread' permission, and the thread must be closable",
    priority=Priority.HANDOVER,
)
UPDATE_THREAD_CATEGORIES = Endpoint(
    "PUT",
    "/1.0/content_threads/:id/update_categories",
    "recategorizing a thread needs the right to categorize on its source",
    conflict_is_transient=True,
    priority=Priority.HANDOVER,
)
AGENT_STATUS = Endpoint("GET", "/1.0/status", "/1.0/status needs the 'monitor task view' permission")
GET_SOURCE = Endpoint("GET", "/1.0/content_sources/:id", "reading a source needs the 'read content source' permission")
GET_CHANNEL = Endpoint("GET", "/1.0/channels/:id", "reading a channel needs the permission to read channels")
GET_OWN_USER = Endpoint("GET", "/1.0/users/me", "reading the token's own user needs a valid token")
