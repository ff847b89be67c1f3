"""What the tests share: waiting for what the product does in the background (`eventually`), and asking a running
stack what it did through its metrics and the orchestrator's thread page, never its database or its logs."""
