"""Every RPC's AdapterError leaves as its gRPC status with its message and its reason (ErrorInfo, and RetryInfo when
Dimelo said when to retry), logged once."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias, cast

import grpc

from dimelo_adapter.errors import AdapterError
from service_kit.grpc_telemetry import AsyncBehaviour
from service_kit.rich_errors import DIMELO_ADAPTER

log = logging.getLogger(__name__)
# A handler, or None for a method the server does not serve; quoted: grpc's classes take no type arguments at run time.
_Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any] | None"


class ErrorStatusInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[_Handler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> _Handler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        operation = handler_call_details.method.rsplit("/", 1)[-1]
        behavior = cast(AsyncBehaviour, handler.unary_unary)

        async def answering_errors_with_status(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            try:
                return await behavior(request, context)
            except AdapterError as error:
                message = "; ".join([f"{operation}: {error}", *getattr(error, "__notes__", ())])
                level = logging.ERROR if error.code == grpc.StatusCode.UNAVAILABLE else logging.WARNING
                log.log(
                    level,
                    "%s",
                    message,
                    extra={
                        "operation": operation,
                        "grpc_code": error.code.name,
                        "error_reason": DIMELO_ADAPTER.name(error.reason),
                        **error.log_fields(),
                    },
                )
                await DIMELO_ADAPTER.abort(
                    context, error.code, message, error.reason, error.retry_after, error.error_metadata()
                )

        return grpc.unary_unary_rpc_method_handler(
            answering_errors_with_status,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
