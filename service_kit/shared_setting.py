"""Settings every service reads under one name, whatever the service's own prefix."""

from typing import Any

from pydantic import AliasChoices, Field


def shared_setting(name: str, default: object, **constraints: Any) -> Any:
    """A field read from the environment variable `name` (or given by its lower-case name) in every service."""
    return Field(default, validation_alias=AliasChoices(name, name.lower()), **constraints)
