"""Build and maintenance tools for the repository (not shipped in the services)."""
