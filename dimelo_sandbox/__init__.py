"""A faithful local Dimelo Digital: REST API under /1.0, webhook delivery, and a control API under /_sandbox."""
