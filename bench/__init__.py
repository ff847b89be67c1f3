"""Benchmarks of the bridge against what Python and this machine allow: `python -m bench` prints the table."""
