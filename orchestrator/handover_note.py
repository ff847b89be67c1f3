"""The private note the bot leaves the agents when it hands a thread over: why, in the AI's words.

It is an intervention comment (`POST /1.0/intervention_comments`), which agents see beside the conversation and the
customer never does. It never holds up a handover: a note Dimelo refuses is logged and the handover goes on.
"""

import logging
from typing import Any

import grpc

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from orchestrator.decision import Decision
from orchestrator.errors import describe
from orchestrator.formatting import to_plain_text
from orchestrator.store import UnitOfWork

log = logging.getLogger(__name__)

MAX_NOTE_CHARS = 1000


def handover_note(decision: Decision, agents_available: str) -> str:
    """E.g. "Handed over by the bot. Reason: low_confidence. Why: ... Agents available: 2"."""
    lines = [f"Handed over by the bot. Reason: {decision.reason or 'unspecified'}."]
    explanation = to_plain_text(decision.explanation, MAX_NOTE_CHARS)
    if explanation:
        lines.append(f"Why: {explanation}")
    lines.append(f"Agents available: {agents_available}")
    return to_plain_text("\n".join(lines), MAX_NOTE_CHARS)


async def leave_note(
    dimelo: "dimelo_pb2_grpc.DimeloServiceAsyncStub",
    work: UnitOfWork,
    content_id: str,
    intervention_id: str,
    note: str,
    journal: dict[str, dict[str, Any]],
    timeout: float,
) -> None:
    """Comments the bot's intervention once (the journal's "noted" step, recorded with `work`), whatever Dimelo
    answers; only right after `work` committed under the thread's lease, and within `timeout` seconds."""
    if "noted" in journal:
        return
    await work.commit()
    try:
        response = await dimelo.CreateInterventionComment(
            dimelo_pb2.CreateInterventionCommentRequest(intervention_id=intervention_id, body=note), timeout=timeout
        )
    except grpc.aio.AioRpcError as error:
        log.warning("handover note not left: %s", describe(error), extra={"intervention_id": intervention_id})
        work.record_step(content_id, "noted", comment_id="", refused=describe(error))
        return
    log.info("handover note left", extra={"intervention_id": intervention_id, "comment_id": response.comment_id})
    work.record_step(content_id, "noted", comment_id=response.comment_id, refused="")
