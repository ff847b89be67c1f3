"""The control API's routes under /_sandbox."""

from collections.abc import Callable
from typing import Any

from starlette.routing import Route

from dimelo_sandbox.control import conversations, operations, setup
from dimelo_sandbox.control.common import ControlCall, control_endpoint


def _route(method: str, path: str, handler: Callable[[ControlCall], Any], status: int = 200) -> Route:
    return Route(f"/_sandbox{path}", control_endpoint(handler, status), methods=[method])


def control_routes() -> list[Route]:
    return [
        _route("GET", "/world", setup.world_summary),
        _route("POST", "/sources", setup.create_source, 201),
        _route("PATCH", "/sources/{id}", setup.update_source),
        _route("POST", "/channels", setup.create_channel, 201),
        _route("POST", "/categories", setup.create_category, 201),
        _route("POST", "/agents", setup.create_agent, 201),
        _route("PUT", "/agents/status", setup.set_all_statuses),
        _route("PUT", "/agents/{agent_id}/status", setup.set_agent_status),
        _route("POST", "/tokens", setup.create_token, 201),
        _route("POST", "/messages", conversations.send_message, 201),
        _route("POST", "/agent_replies", conversations.send_agent_reply, 201),
        _route("GET", "/threads", conversations.list_threads),
        _route("GET", "/threads/{thread_id}", conversations.transcript),
        _route("PUT", "/webhook", operations.configure_webhook),
        _route("GET", "/webhook", operations.webhook_state),
        _route("DELETE", "/webhook", operations.remove_webhook),
        _route("PUT", "/delivery", operations.update_delivery),
        _route("GET", "/delivery", operations.settings),
        _route("PUT", "/settings", operations.update_settings),
        _route("GET", "/settings", operations.settings),
        _route("PUT", "/faults", operations.set_faults),
        _route("GET", "/faults", operations.faults),
        _route("DELETE", "/faults", operations.clear_faults),
        _route("GET", "/deliveries", operations.deliveries),
        _route("GET", "/requests", operations.requests),
        _route("GET", "/stats", operations.stats),
        _route("POST", "/reset", operations.reset),
        _route("POST", "/jobs/wait", operations.wait_for_jobs),
        _route("POST", "/deliveries/wait", operations.wait_for_deliveries),
    ]
