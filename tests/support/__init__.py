"""What the tests share: waiting for what the product does in the background (`eventually`), and asking a running
stack what it did through its metrics and the orchestrator's thread page rather than its database or its logs
(unless the log itself is what a test checks)."""
