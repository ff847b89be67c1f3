"""Fixtures every test folder may use: `database_url` (SQLite and PostgreSQL) from tests/postgres.py."""

pytest_plugins = ("tests.postgres",)
