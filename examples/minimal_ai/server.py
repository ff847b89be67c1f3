"""A minimal AI service for botbridge, written from protos/botbridge/ai/v1/ai.proto alone.

It answers questions about opening hours and goodbyes, offers a menu of choices (quick replies) to a greeting,
and hands every other conversation to a human agent.
It serves the contract's AiService, the standard gRPC health service and reflection, and stops gracefully on
SIGTERM. Run it with `python examples/minimal_ai/server.py` (it listens on AI_LISTEN_ADDR, "[::]:50052" by
default) and check it with `python -m ai_conformance localhost:50052`.
"""

import logging
import os
import re
import signal
import threading
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

# The stubs generated from ai.proto (README.md: how to generate your own).
from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc

SERVICE_NAME = ai_pb2.DESCRIPTOR.services_by_name["AiService"].full_name
DEFAULT_ADDRESS = "[::]:50052"
# Calls served at once; more wait in gRPC's queue. Each call takes microseconds.
WORKERS = 16
# After SIGTERM, calls in flight get this long to finish (keep it below Kubernetes' terminationGracePeriodSeconds).
GRACE_SECONDS = 5.0
# The languages this bot writes, as Dimelo codes ("en", "en-GB", ...); "" means Dimelo did not detect one.
LANGUAGES = {"", "en"}

OPENING_HOURS = "We are open Monday to Friday, 9 am to 6 pm, and Saturday, 10 am to 4 pm."
GOODBYE = "You're welcome, have a nice day!"
ASKS_FOR_HUMAN = re.compile(r"\b(human|agent|person|people|operator|representative)s?\b")
ASKS_OPENING_HOURS = re.compile(r"\b(open|opening|hours|close|closed|closing)\b")
SAYS_GOODBYE = re.compile(r"^(thanks?|thank you|bye|goodbye)\b")
SAYS_HELLO = re.compile(r"^(hello|hi|hey|help|menu)\b")
# Offered to a greeting: the proxy shows them as quick replies (or a numbered list); the customer's pick comes
# back as their next message with `picked_choice` set, so the payload says which one it was.
MENU = (
    ai_pb2.Choice(title="Opening hours", payload="opening_hours"),
    ai_pb2.Choice(title="Talk to a person", payload="person"),
)

log = logging.getLogger("minimal_ai")


def answer(text: str, explanation: str, finished: bool = False, choices=()) -> ai_pb2.RespondResponse:
    decision = ai_pb2.Answer(
        text=text, explanation=explanation, confidence=1.0, conversation_finished=finished, choices=choices
    )
    return ai_pb2.RespondResponse(answer=decision)


def handover(reason: ai_pb2.HandoverReason, explanation: str) -> ai_pb2.RespondResponse:
    return ai_pb2.RespondResponse(handover=ai_pb2.Handover(reason=reason, explanation=explanation))


def decide(conversation: ai_pb2.Conversation) -> ai_pb2.RespondResponse:
    """The bot's whole brain: a few keywords, and a handover with its reason for everything else."""
    text = conversation.message.body.strip().lower()
    language = conversation.language.replace("_", "-").split("-")[0].lower()
    if not text:
        return handover(ai_pb2.HANDOVER_REASON_UNUSABLE_MESSAGE, "the message has no text")
    if language not in LANGUAGES:
        return handover(ai_pb2.HANDOVER_REASON_UNSUPPORTED_LANGUAGE, f"this bot only writes English, not {language!r}")
    picked = conversation.message.picked_choice.payload
    if ASKS_FOR_HUMAN.search(text) or picked == "person":
        return handover(ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST, "the customer asked for a person")
    if picked == "opening_hours":
        return answer(OPENING_HOURS, "the customer picked opening hours")
    if ASKS_OPENING_HOURS.search(text):
        return answer(OPENING_HOURS, "the customer asked about opening hours")
    if SAYS_GOODBYE.search(text):
        return answer(GOODBYE, "the customer said thanks or goodbye", finished=True)
    if SAYS_HELLO.search(text):
        return answer("Hello! What can I do for you?", "the customer said hello: the menu", choices=MENU)
    return handover(ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE, "this bot only answers questions about opening hours")


class MinimalAi(ai_pb2_grpc.AiServiceServicer):
    def Respond(self, request: ai_pb2.RespondRequest, context: grpc.ServicerContext) -> ai_pb2.RespondResponse:
        # The one error the contract names; abort() raises, so nothing below runs.
        if not request.conversation.HasField("message"):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "conversation.message is required")
        response = decide(request.conversation)
        if response.HasField("handover"):
            outcome = "handover " + ai_pb2.HandoverReason.Name(response.handover.reason)
        else:
            outcome = "answer"
        log.info("thread %s: %s", request.conversation.thread_id, outcome)
        return response


def serve(address: str) -> tuple[grpc.Server, health.HealthServicer, int]:
    """Starts the server on `address` ("host:port"; port 0 picks a free one); returns it, its health and its port."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS))
    ai_pb2_grpc.add_AiServiceServicer_to_server(MinimalAi(), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    port = server.add_insecure_port(address)
    server.start()
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, health_servicer, port


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    address = os.environ.get("AI_LISTEN_ADDR", DEFAULT_ADDRESS)
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    server, health_servicer, port = serve(address)
    log.info("listening on %s (port %d)", address, port)
    stop.wait()
    log.info("stopping: calls in flight get %.0f s", GRACE_SECONDS)
    health_servicer.enter_graceful_shutdown()  # NOT_SERVING: load balancers stop sending calls
    server.stop(GRACE_SECONDS).wait()
    log.info("stopped")


if __name__ == "__main__":
    main()
