"""A thread's history as the proxy saw it: the events received, what was decided for each (answered, handed over,
ignored and why), and the Dimelo calls made with their results, in order, with their times.

Message bodies, answers and the AI's explanations are customer data: shown only when asked for.
"""

from datetime import UTC, datetime

from orchestrator.store import AGENTS_OWNER, DEAD, PENDING, EventRecord, JournalStep, Store

# More than any thread holds in practice; the view reads every message of the thread for its bodies.
_MAX_MESSAGES = 10_000


async def render_thread(store: Store, thread_id: str, bodies: bool = False) -> str:
    """The thread's history as text, one line per event and per step; `bodies` adds the messages' text."""
    state = await store.thread(thread_id)
    events = await store.thread_events(thread_id)
    steps = await store.journal_steps(sorted({e.content_id for e in events if e.content_id}))
    texts = {m.content_id: (m.author, m.body) for m in await store.history(thread_id, _MAX_MESSAGES)} if bodies else {}
    owner = "agents" if state.owner == AGENTS_OWNER else "the bot"
    why = f" (handed over: {state.handover_reason})" if state.handover_reason else ""
    intervention = f"; bot intervention {state.intervention_id} open" if state.intervention_id else ""
    lines = [f"thread {thread_id}: with {owner}{why}{intervention}; {len(events)} event(s)"]
    if not events:
        lines.append("  no event of this thread is stored")
    shown: set[str] = set()
    for record in events:
        lines.append(_event_line(record))
        if record.content_id in shown:
            continue
        shown.add(record.content_id)
        if record.content_id in texts:
            author, body = texts[record.content_id]
            lines.append(f"      {author} wrote: {_quoted(body)}")
        for step in (s for s in steps if s.content_id == record.content_id):
            lines.append(f"      {_offset(step.at, record.received_at)}  {_describe_step(step, bodies)}")
    return "\n".join(lines)


def _event_line(record: EventRecord) -> str:
    tries = f"{record.attempts} attempt{'s' if record.attempts != 1 else ''}"
    if record.state == PENDING:
        fate = f"pending after {tries}" + (f", last: {record.outcome}" if record.outcome else "")
    elif record.state == DEAD:
        fate = f"DEAD LETTER after {tries}: {record.outcome}"
    else:
        took = f" {record.finished_at - record.received_at:.2f} s after arrival" if record.finished_at else ""
        fate = f"{record.outcome or 'done'} (done{took})"
    content = f" content {record.content_id}" if record.content_id else ""
    # How late Dimelo delivered it (the ordering window grows while deliveries come unevenly late); an event without
    # an issued_at is stored as issued when it arrived, and shows none.
    known = record.issued_at and record.issued_at != record.received_at
    late = f" (came {record.received_at - record.issued_at:.2f} s after issued_at)" if known else ""
    return f"  {_time(record.received_at)}  {record.type:<17} event {record.event_id}{content}{late}: {fate}"


def _describe_step(step: JournalStep, bodies: bool) -> str:
    detail = step.detail
    if step.step == "decision":
        if detail.get("answer"):
            said = "AI answered" + ("; conversation finished" if detail.get("finished") else "")
            return said + (f": {_quoted(detail.get('text', ''))}" if bodies else "")
        said = f"AI handed over ({detail.get('reason') or 'no reason'})"
        return said + (f": {_quoted(detail.get('explanation', ''))}" if bodies and detail.get("explanation") else "")
    if step.step == "posting":
        return "Dimelo CreateReply sent"
    if step.step == "posted":
        under = f", under intervention {detail['intervention_id']}" if detail.get("intervention_id") else ""
        return f"Dimelo reply posted: {detail.get('reply_id', '?')}{under}"
    if step.step == "intervention_closed":
        which = f"bot intervention {detail['intervention_id']}" if detail.get("intervention_id") else "bot intervention"
        if detail.get("left_open"):
            return f"Dimelo refused to close the {which}, left open: {detail['left_open']}"
        return f"Dimelo {which} closed"
    if step.step == "recategorized":
        categories = ", ".join(detail.get("category_ids", [])) or "the agent categories"
        agents = f" (agents available: {detail['agents_available']})" if "agents_available" in detail else ""
        return f"Dimelo thread recategorized to {categories}{agents}"
    if step.step == "thread_closed":
        return "Dimelo thread closed"
    if step.step == "done":
        return f"done: {detail.get('outcome', '')}"
    return f"{step.step}: {detail}"


def _time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(sep=" ", timespec="milliseconds").replace("+00:00", "Z")


def _offset(at: float, since: float) -> str:
    """A step's time after its event's arrival, e.g. "+0.42 s"."""
    return f"+{max(0.0, at - since):.2f} s" if since else _time(at)


def _quoted(text: str) -> str:
    return '"' + " ".join(text.split()) + '"'
