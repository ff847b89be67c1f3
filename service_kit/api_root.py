"""The check every setting naming a peer's HTTP API root goes through."""


def api_root(value: str, secret_variable: str, appended: str, example: str) -> str:
    """`value` as an API root URL, without a trailing slash. Refused: no http(s):// scheme; a query or fragment (a
    secret goes in `secret_variable`, never in a URL, which gets logged); a URL ending in `appended`, which the
    client adds itself (`example` shows a good root). Messages never echo the value: it may hold a secret."""
    url = value.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValueError("must start with https:// or http://")
    if "?" in url or "#" in url:
        raise ValueError(f"must not carry a query or fragment: a secret goes in {secret_variable}")
    if url.endswith(appended):
        raise ValueError(f"must be the API root (e.g. {example}): {appended} is appended")
    return url
