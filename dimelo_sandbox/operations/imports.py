"""Contents a source imports: customer messages, the chat's automatic welcome message, posts made on the page itself.

All are announced as `content.imported`, with creator_id null and created_from "synchronizer"; they differ in
author (customer identity vs. the source's company identity), status and auto_submitted (see docs/sandbox.md).
"""

from dataclasses import dataclass

from dimelo_sandbox.errors import ApiError
from dimelo_sandbox.events import content_event
from dimelo_sandbox.model import Content, Source, Thread
from dimelo_sandbox.sandbox import Sandbox

KINDS = ("customer", "welcome", "page_post")
# Per kind: content status (a welcome's is its source's `welcome_status`), content type, auto_submitted.
_TRAITS = {
    "customer": ("new", "message", False),
    "welcome": ("user_initiated", "message", True),
    "page_post": ("ignored", "status", False),
}


@dataclass
class Imported:
    content: Content
    event_id: str
    welcome: Content | None = None


def _new_thread(sb: Sandbox, source: Source, title: str, customer_name: str | None, with_customer: bool) -> Thread:
    world = sb.world
    now = world.clock()
    customer_id = None
    if with_customer:
        name = customer_name or f"Customer {len(world.threads) + 1}"
        customer_id = world.add_identity(source.id, name, "customer").id
    thread = Thread(
        world.ids.object_id(),
        source.id,
        title[:80],
        customer_id,
        foreign_id=world.ids.token()[:12],
        thread_category_ids=list(source.default_category_ids),
        created_at=now,
        updated_at=now,
    )
    return world.add_thread(thread)


def _import(
    sb: Sandbox, thread: Thread, kind: str, author_id: str, body: str, private: bool, language: str | None
) -> tuple[Content, str]:
    world = sb.world
    status, type_, auto_submitted = _TRAITS[kind]
    if kind == "welcome":
        status = sb.world.sources[thread.source_id].welcome_status
    previous = world.contents[thread.content_ids[-1]] if thread.content_ids else None
    intervention = world.open_intervention(thread) if kind == "customer" else None
    if intervention is not None:
        status = "assigned"
    now = world.clock()
    content = Content(
        world.ids.object_id(),
        thread.id,
        thread.source_id,
        author_id,
        kind,
        body,
        created_from="synchronizer",
        status=status,
        in_reply_to_id=previous.id if previous and kind == "customer" else None,
        intervention_id=intervention.id if intervention else None,
        private=private,
        first_in_thread=previous is None,
        auto_submitted=auto_submitted,
        foreign_id=world.ids.token()[:16],
        language=language,
        type=type_,
        category_ids=list(thread.thread_category_ids),
        created_at=now,
        updated_at=now,
    )
    world.add_content(content)
    thread.updated_at = now
    event = content_event(world, "content.imported", content)
    sb.publish(event)
    return content, event["id"]


def import_content(
    sb: Sandbox,
    kind: str,
    body: str,
    source_id: str | None = None,
    thread_id: str | None = None,
    private: bool = False,
    language: str | None = None,
    customer_name: str | None = None,
) -> Imported:
    """Imports one content as the source would; a new thread when `thread_id` is None.

    A customer message opening a thread on a source with a welcome message is preceded by that welcome message.
    A customer message in a closed thread reopens it.
    """
    if kind not in KINDS:
        raise ApiError(400, "invalid_parameter", f"kind must be one of {', '.join(KINDS)}")
    if not body:
        raise ApiError(400, "missing_parameter", "body is mandatory")
    world = sb.world
    welcome = None
    if thread_id is not None:
        thread = world.thread(thread_id)
        source = world.sources[thread.source_id]
        if kind == "customer" and thread.closed:
            thread.closed = False
    else:
        source = world.source(source_id) if source_id else next(iter(world.sources.values()))
        thread = _new_thread(sb, source, body, customer_name, with_customer=kind == "customer")
        if kind == "customer" and source.welcome_message:
            welcome, _ = _import(
                sb, thread, "welcome", source.company_identity_id, source.welcome_message, private, language
            )
    if kind == "customer":
        if thread.customer_identity_id is None:
            name = customer_name or f"Customer {len(world.threads)}"
            thread.customer_identity_id = world.add_identity(source.id, name, "customer").id
        author_id = thread.customer_identity_id
    else:
        author_id = source.company_identity_id
    content, event_id = _import(sb, thread, kind, author_id, body, private, language)
    return Imported(content, event_id, welcome)
