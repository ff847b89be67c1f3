"""The parts of a chat-completions reply the backend reads, validated: the first choice's message."""

from typing import Any

from pydantic import BaseModel, Field, ValidationError


class MalformedCompletion(ValueError):
    """The reply is not JSON, or not shaped like a chat completion; the message says where."""


class FunctionCall(BaseModel):
    name: str
    # A JSON object in a string, as OpenAI sends it; some servers send the object itself.
    arguments: str | dict[str, Any] = "{}"


class ToolCall(BaseModel):
    function: FunctionCall


class AssistantMessage(BaseModel):
    """What the model said (`content`) and the tools it called; either may be missing."""

    content: str | None = None
    tool_calls: list[ToolCall] | None = None


class Choice(BaseModel):
    message: AssistantMessage


class ChatCompletion(BaseModel):
    choices: list[Choice] = Field(min_length=1)


def read_completion(body: bytes) -> AssistantMessage:
    """The first choice's message; MalformedCompletion naming the first problem (never quoting the body)."""
    try:
        return ChatCompletion.model_validate_json(body).choices[0].message
    except ValidationError as error:
        first = error.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MalformedCompletion(f"{where}: {first['msg']}" if where else first["msg"]) from None
