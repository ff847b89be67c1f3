"""The control API under /_sandbox: JSON in and out, no token; drives customers and agents, faults, delivery."""
