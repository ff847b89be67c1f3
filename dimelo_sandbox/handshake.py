"""The webhook endpoint validation (PubSubHubbub 0.3 style): only a 200 with exactly the challenge as body passes."""

import hmac
import json

import httpx


def secret_header(secret: str | None) -> dict[str, str]:
    """X-Dimelo-Secret, on every webhook request when a secret is configured."""
    return {"X-Dimelo-Secret": secret} if secret is not None else {}


async def handshake(
    client: httpx.AsyncClient, url: str, verify_token: str, secret: str | None, challenge: str, timeout: float
) -> tuple[bool, str]:
    """GETs the endpoint with hub.mode, hub.challenge and hub.verify_token; says whether it passed, and why not."""
    params = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
    try:
        answer = await client.get(url, params=params, headers=secret_header(secret), timeout=timeout)
    except httpx.TimeoutException:
        return False, "handshake failed: the endpoint did not answer in time"
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return False, f"handshake failed: cannot reach the endpoint ({error.__class__.__name__})"
    if answer.status_code != 200:
        return False, f"handshake failed: the endpoint answered HTTP {answer.status_code}, expected 200"
    if not hmac.compare_digest(answer.content, challenge.encode()):
        quoted = answer.content == json.dumps(challenge).encode()
        hint = " (it is JSON-quoted: answer the raw challenge)" if quoted else ""
        return False, f"handshake failed: the body is not exactly hub.challenge{hint}"
    return True, "handshake succeeded"
