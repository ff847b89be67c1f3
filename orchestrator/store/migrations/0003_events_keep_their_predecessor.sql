-- The content an event's content replies to (its in_reply_to_id; '' when none): of a thread's events issued in the
-- same millisecond (Dimelo's issued_at resolution), one whose predecessor is pending waits for it, whatever order
-- they were delivered in; and the arrival of a customer's message releases the events held for it. Events stored
-- before this step have none, and tie by arrival as they did.
ALTER TABLE events ADD COLUMN in_reply_to_id TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS events_pending_by_predecessor ON events (in_reply_to_id) WHERE state = 'pending';
