-- The schema of the releases before numbered migrations (with the columns they added on the way).
-- Types in braces are the database's own: {serial}, {blob}, {real}.
CREATE TABLE IF NOT EXISTS events (
    seq {serial},
    event_id TEXT NOT NULL UNIQUE,
    delivery_id TEXT NOT NULL,
    type TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    content_id TEXT NOT NULL,
    issued_at {real} NOT NULL,
    received_at {real} NOT NULL,
    event {blob} NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {real} NOT NULL DEFAULT 0,
    finished_at {real} NOT NULL DEFAULT 0,
    traceparent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_pending ON events (state, thread_id, issued_at, seq);
CREATE INDEX IF NOT EXISTS events_by_issue ON events (state, issued_at, seq);
CREATE INDEX IF NOT EXISTS events_due ON events (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS events_by_content ON events (content_id);
CREATE TABLE IF NOT EXISTS leases (
    thread_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at {real} NOT NULL,
    generation BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS write_probes (
    replica TEXT PRIMARY KEY,
    at {real} NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    content_id TEXT NOT NULL,
    step TEXT NOT NULL,
    detail TEXT NOT NULL,
    at {real} NOT NULL,
    PRIMARY KEY (content_id, step)
);
CREATE TABLE IF NOT EXISTS threads (
    thread_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    intervention_id TEXT NOT NULL DEFAULT '',
    handover_reason TEXT NOT NULL DEFAULT '',
    updated_at {real} NOT NULL,
    bot_category_seen_at {real} NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS messages (
    content_id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_thread ON messages (thread_id, position);
CREATE TABLE IF NOT EXISTS quarantine (
    id TEXT PRIMARY KEY,
    body {blob} NOT NULL,
    reason TEXT NOT NULL,
    received_at {real} NOT NULL
);
