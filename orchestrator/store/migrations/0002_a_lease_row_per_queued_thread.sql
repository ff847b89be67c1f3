-- Every thread with a pending event has a lease row: the claim locks these rows (FOR UPDATE SKIP LOCKED on
-- PostgreSQL), so a thread is its own lock key. Intake and replay add the row from now on.
INSERT INTO leases (thread_id, owner, expires_at, generation)
SELECT DISTINCT thread_id, '', 0, 0 FROM events WHERE state = 'pending'
ON CONFLICT (thread_id) DO NOTHING;
