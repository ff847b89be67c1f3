"""Every RPC's AdapterError leaves as its gRPC status with its message and its reason (ErrorInfo, and RetryInfo when
Dimelo said when to retry), logged once."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from dimelo_adapter.errors import AdapterError
from service_kit.rich_errors import DIMELO_ADAPTER

log = logging.getLogger(__name__)


class ErrorStatusInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        operation = handler_call_details.method.rsplit("/", 1)[-1]
        behavior = handler.unary_unary

        async def answering_errors_with_status(request: Any, context: grpc.aio.ServicerContext) -> Any:
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
