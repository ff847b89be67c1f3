"""Deliberately broken AI services: the example's logic with one rule of the contract broken in each."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum

import grpc
from google.protobuf import unknown_fields
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc
from examples.minimal_ai.server import SERVICE_NAME, answer, decide

LONG = 10_000
# How long each call takes in the server that serves one call at a time: small, so the kit's sequential calls
# stay quick, yet 16 simultaneous ones queue for at least 480 ms.
ONE_AT_A_TIME_SECONDS = 0.03


class Breakage(StrEnum):
    NO_HEALTH = "serves no health service"
    NO_REFLECTION = "serves no reflection"
    EMPTY_RESPONSE = "returns neither answer nor handover"
    BLANK_ANSWER = "answers with blank text"
    UNSPECIFIED_REASON = "hands over without a reason"
    KEEPS_HUMAN_REQUESTS = "answers customers who ask for a human"
    REFUSES_EMPTY = "refuses an empty message with INVALID_ARGUMENT"
    ANSWERS_NO_MESSAGE = "answers a request without a message"
    CRASHES_ON_LONG = "raises on a long message (UNKNOWN)"
    HANGS_ON_LONG = "never answers a long message"
    REJECTS_UNKNOWN_FIELDS = "refuses requests with unknown fields"
    ONE_AT_A_TIME = "serves one call at a time"
    RAISES = "raises on every call (UNKNOWN)"
    TOO_MANY_CHOICES = "offers 14 choices with an 81-character title"


def _has_unknown_fields(request: ai_pb2.RespondRequest) -> bool:
    messages = [request, request.conversation, request.conversation.message, *request.conversation.history]
    return any(len(unknown_fields.UnknownFieldSet(message)) for message in messages)


class BrokenAi(ai_pb2_grpc.AiServiceServicer):
    def __init__(self, breakage: Breakage) -> None:
        self._breakage = breakage
        self._one_at_a_time = asyncio.Lock()

    async def Respond(self, request: ai_pb2.RespondRequest, context: grpc.aio.ServicerContext):
        broken = self._breakage
        if broken is Breakage.RAISES:
            raise RuntimeError("the model is not loaded")
        if broken is Breakage.ONE_AT_A_TIME:
            async with self._one_at_a_time:
                await asyncio.sleep(ONE_AT_A_TIME_SECONDS)  # the work a slow model does, one call after the other
        if not request.conversation.HasField("message"):
            if broken is Breakage.ANSWERS_NO_MESSAGE:
                return answer("How can I help?", "no message, so a greeting")
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "conversation.message is required")
        body = request.conversation.message.body
        if broken is Breakage.REJECTS_UNKNOWN_FIELDS and _has_unknown_fields(request):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "unknown fields")
        if broken is Breakage.REFUSES_EMPTY and not body.strip():
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "the message is empty")
        if broken is Breakage.CRASHES_ON_LONG and len(body) > LONG:
            raise ValueError("message too long for the model")
        if broken is Breakage.HANGS_ON_LONG and len(body) > LONG:
            await asyncio.Event().wait()  # until the caller's deadline cancels the call
        return self._spoil(decide(request.conversation))

    def _spoil(self, response: ai_pb2.RespondResponse) -> ai_pb2.RespondResponse:
        broken = self._breakage
        if broken is Breakage.EMPTY_RESPONSE:
            return ai_pb2.RespondResponse()
        if broken is Breakage.BLANK_ANSWER and response.HasField("answer"):
            response.answer.text = " \n"
        if broken is Breakage.TOO_MANY_CHOICES and response.HasField("answer"):
            response.answer.choices.extend(ai_pb2.Choice(title=f"{n}" + "x" * 80) for n in range(14))
        if broken is Breakage.UNSPECIFIED_REASON and response.HasField("handover"):
            response.handover.reason = ai_pb2.HANDOVER_REASON_UNSPECIFIED
        asked_for_human = response.handover.reason == ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST
        if broken is Breakage.KEEPS_HUMAN_REQUESTS and asked_for_human:
            return answer("I can help you myself: what is your question?", "keeps the customer")
        return response


@asynccontextmanager
async def broken_ai(breakage: Breakage) -> AsyncIterator[str]:
    """A broken AI served on a loopback port for the block's duration; yields its address."""
    server = grpc.aio.server()
    ai_pb2_grpc.add_AiServiceServicer_to_server(BrokenAi(breakage), server)
    services = [SERVICE_NAME, reflection.SERVICE_NAME]
    if breakage is not Breakage.NO_HEALTH:
        health_servicer = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
        for name in ("", SERVICE_NAME):
            await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
        services.append(health.SERVICE_NAME)
    if breakage is not Breakage.NO_REFLECTION:
        reflection.enable_server_reflection(services, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)
