"""The HTTP client of the model server: one POST /chat/completions within a time limit, every failure named."""

import asyncio
from typing import Any

import httpx
from pydantic import SecretStr

from ai_service.llm.completion import AssistantMessage, MalformedCompletion, read_completion

# How much of a server's error message goes into a handover's explanation.
_SHOWN_CHARS = 200


class LlmFailure(Exception):
    """No usable reply from the model server; the message says why, for the handover's explanation."""


class ChatCompletionsClient:
    """POSTs chat-completions requests to `base_url`/chat/completions, with the API key as a Bearer token."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, api_key: SecretStr | None) -> None:
        self._http = http
        self._url = f"{base_url}/chat/completions"
        self._headers = {"Authorization": f"Bearer {api_key.get_secret_value()}"} if api_key else {}

    async def complete(self, request: dict[str, Any], timeout: float) -> AssistantMessage:
        """The model's message, within `timeout` seconds in all; LlmFailure on anything else."""
        try:
            async with asyncio.timeout(timeout):
                response = await self._http.post(self._url, json=request, headers=self._headers)
        except TimeoutError:
            raise LlmFailure(f"the model server did not answer within {timeout:.2f} s") from None
        except httpx.HTTPError as error:
            raise LlmFailure(f"could not reach the model server at {self._url}: {_describe(error)}") from None
        if response.is_error:
            raise LlmFailure(f"the model server answered HTTP {response.status_code}{_server_message(response)}")
        try:
            return read_completion(response.content)
        except MalformedCompletion as error:
            raise LlmFailure(f"the model server's reply is not a chat completion ({error})") from None


def _describe(error: httpx.HTTPError) -> str:
    detail = str(error)
    return f"{type(error).__name__} ({detail[:_SHOWN_CHARS]})" if detail else type(error).__name__


def _server_message(response: httpx.Response) -> str:
    """ ": <message>" from OpenAI's {"error": {"message"}}, {"error": "..."} or vLLM's {"message"}; else "".

    Never for 401 and 403: providers quote part of a wrong key there.
    """
    if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
        return " (check AI_LLM_API_KEY)"
    try:
        data = response.json()
    except ValueError:
        return ""
    error = data.get("error", data) if isinstance(data, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return f": {message[:_SHOWN_CHARS]}" if isinstance(message, str) and message.strip() else ""
