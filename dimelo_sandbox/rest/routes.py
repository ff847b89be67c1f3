"""The REST routes, each with the permission it needs beyond a valid token."""

from starlette.routing import Route

from dimelo_sandbox.rest import contents, directory, intervention_comments, interventions, status, threads
from dimelo_sandbox.rest.pipeline import Handler, rest_endpoint

_LIST = ("read", "list records")


def _route(method: str, path: str, handler: Handler, permission: tuple[str, str] | None = None) -> Route:
    return Route(f"/1.0{path}", rest_endpoint(handler, permission), methods=[method])


def rest_routes() -> list[Route]:
    return [
        _route("POST", "/contents", contents.create),
        _route("GET", "/contents", contents.index, _LIST),
        _route("GET", "/contents/{id}", contents.show),
        _route("GET", "/content_threads", threads.index, _LIST),
        _route("GET", "/content_threads/{id}", threads.show),
        _route("PUT", "/content_threads/{id}/close", threads.close),
        _route("PUT", "/content_threads/{id}/update_categories", threads.categorize),
        _route("POST", "/interventions", interventions.create),
        _route("GET", "/interventions", interventions.index, _LIST),
        _route("GET", "/interventions/{id}", interventions.show),
        _route("PUT", "/interventions/{id}/close", interventions.close),
        _route("POST", "/intervention_comments", intervention_comments.create),
        _route("GET", "/intervention_comments", intervention_comments.index, _LIST),
        _route("GET", "/intervention_comments/{id}", intervention_comments.show),
        _route("DELETE", "/intervention_comments/{id}", intervention_comments.destroy),
        _route("GET", "/content_sources", directory.index_sources, _LIST),
        _route("GET", "/content_sources/{id}", directory.show_source),
        _route("GET", "/channels", directory.index_channels, _LIST),
        _route("GET", "/channels/{id}", directory.show_channel),
        _route("GET", "/categories", directory.index_categories, _LIST),
        _route("GET", "/categories/{id}", directory.show_category),
        _route("GET", "/users/{id}", directory.show_user),
        _route("GET", "/status", status.show, ("monitor", "monitor the task view")),
    ]
