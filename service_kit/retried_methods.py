"""Which calls of each peer service a channel sends again by itself: one table per service, every method in it with
why it is safe to repeat, or why it is not.

A channel repeats a call only when it failed UNAVAILABLE or CANCELLED with no server's verdict (the peer died or
restarted mid-call, the connection broke, or the peer was stopping: a gRPC server that stops cancels the calls that
reach it meanwhile, which under load cost enough of the gateway's deliveries for Dimelo to disable the webhook): a
service's own errors ask the channel not to (service_kit/rich_errors.py), since the service already retried what it
could. Only a method whose second run does no harm is retried: a read, or a write
that lands once however often it is sent. A method missing from its service's table is never retried, and fails
tests/service_kit/test_retried_methods.py, so that each new RPC gets a decision here.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from botbridge.ai.v1 import ai_pb2
from botbridge.dimelo.v1 import dimelo_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2

A_READ = "a read"


@dataclass(frozen=True)
class RetryTable:
    """One service's methods: `retried` (method -> why a second run does no harm) and `not_retried` (method -> why
    the channel must not send it again blindly)."""

    service: str
    retried: Mapping[str, str]
    not_retried: Mapping[str, str]


DIMELO_SERVICE = RetryTable(
    dimelo_pb2.DESCRIPTOR.services_by_name["DimeloService"].full_name,
    retried={
        "FindReply": A_READ,
        "GetAgentAvailability": A_READ,
        "GetContent": A_READ,
        "GetThread": A_READ,
        "GetSource": A_READ,
        "GetBotUser": A_READ,
        "CloseIntervention": "closing it twice leaves it closed once (Dimelo refuses the second: already closed)",
        "CloseThread": "closing it twice leaves it closed once (Dimelo refuses the second: already closed)",
        "UpdateThreadCategories": "sets the same categories again",
    },
    not_retried={
        "CreateReply": "posts a new reply each time (Dimelo has no idempotency key): after a lost answer the"
        " orchestrator looks for the reply (FindReply) before it posts again",
        "CreateInterventionComment": "leaves a new note each time: the agents would read it twice",
        "OpenIntervention": "a second call racing the first may open a second intervention (the adapter does not"
        " repeat it either); the orchestrator's later attempt finds the first one open instead",
    },
)

ORCHESTRATOR_SERVICE = RetryTable(
    orchestrator_pb2.DESCRIPTOR.services_by_name["OrchestratorService"].full_name,
    retried={
        "SubmitDelivery": "events are kept by their id: a second call finds those the first stored as duplicates"
        " (its unreadable parts may be kept aside twice, as when Dimelo sends the delivery again)",
    },
    not_retried={
        "QuarantineDelivery": "keeps the body aside under a new id each call: a second call would keep it twice",
    },
)

AI_SERVICE = RetryTable(
    ai_pb2.DESCRIPTOR.services_by_name["AiService"].full_name,
    retried={},
    not_retried={
        "Respond": "the orchestrator retries it itself (AI_UNAVAILABLE_RETRIES, between processing attempts), and an"
        " AI that is down must fail at once rather than after the channel's backoff",
    },
)
