"""Dimelo's error answer: a non-2xx status with `{"error": <identifier>, "message": <text>, "status": <code>}`."""

from typing import Any


class ApiError(Exception):
    """An error the sandbox answers as Dimelo does; `error` is a snake_case identifier clients can key on."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message, "status": self.status}


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} {ident!r} not found")


def missing_parameter(name: str) -> ApiError:
    return ApiError(400, "missing_parameter", f"parameter {name} is mandatory")


def invalid_parameter(name: str, why: str) -> ApiError:
    return ApiError(400, "invalid_parameter", f"parameter {name} {why}")


def rate_limited(per_minute: int) -> ApiError:
    """The documented 429 body."""
    return ApiError(429, "rate_limit_exceeded", f"Rate limit exceeded ({per_minute} requests per minute max)")
