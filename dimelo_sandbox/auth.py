"""Who is calling: the access token from `Authorization: Bearer` or the `access_token` parameter, and its rights."""

from collections.abc import Mapping

from dimelo_sandbox.errors import ApiError
from dimelo_sandbox.forms import Params
from dimelo_sandbox.model import User
from dimelo_sandbox.world import World


def authenticate(world: World, headers: Mapping[str, str], params: Params) -> User:
    """The token's user; 403 when the token is missing or unknown (the message never repeats the token)."""
    token = None
    header = headers.get("authorization")
    if header:
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            token = value.strip()
    if token is None:
        token = params.get("access_token")
    if not token:
        raise ApiError(
            403, "missing_access_token", "an access token is required (Authorization: Bearer header or access_token)"
        )
    user = world.user_for_token(token)
    if user is None:
        raise ApiError(403, "invalid_access_token", "the access token is invalid or has been revoked")
    return user


def require(user: User, permission: str, action: str) -> None:
    """403 unless the user has the permission; `action` says what was refused."""
    if permission not in user.permissions:
        raise ApiError(
            403, "forbidden", f"the token's user is not allowed to {action} (needs permission {permission!r})"
        )


def can_read(user: User) -> bool:
    """Read access on sources; without it Dimelo answers 404, as if the record did not exist."""
    return "read" in user.permissions
