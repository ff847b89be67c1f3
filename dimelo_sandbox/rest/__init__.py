"""Dimelo's REST API under /1.0: one module per resource, all behind the same pipeline."""
