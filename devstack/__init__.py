"""Runs the whole bridge locally, as processes, against the Dimelo sandbox (or a real Dimelo when configured)."""
