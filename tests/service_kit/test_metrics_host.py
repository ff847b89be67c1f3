"""serve_metrics binds to the host it is given (METRICS_HOST), not to every interface."""

import httpx
import pytest

from service_kit.metrics import serve_metrics


def test_metrics_answer_on_the_given_host_only() -> None:
    # In: metrics served on 127.0.0.2 (another loopback address), port 0. Out: /metrics answers there; the same
    # port on 127.0.0.1 refuses the connection, so the server listens on that one address only.
    port = serve_metrics("127.0.0.2", 0)
    assert httpx.get(f"http://127.0.0.2:{port}/metrics", timeout=5).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
