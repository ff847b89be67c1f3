"""The handover note: the agents get the AI's reason and explanation as a private intervention comment."""

import grpc

from botbridge.ai.v1 import ai_pb2
from tests.orchestrator.conftest import customer_message, settled

_LOW_CONFIDENCE = ai_pb2.RespondResponse(
    handover=ai_pb2.Handover(reason=ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE, explanation="best FAQ match 0.41 < 0.6")
)


async def test_the_note_goes_on_the_bot_intervention_before_it_is_closed(peers, settings_for, start_orchestrator):
    # In: the AI hands over (low confidence, with an explanation) on a thread with no bot intervention yet.
    # Out: an intervention opened on the content, the notice posted, one comment on that intervention with the
    # reason, the explanation and the agents available, then the intervention closed; the notice is unchanged.
    ai, dimelo, _ = peers
    ai.response = _LOW_CONFIDENCE
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message(id="c-1"))
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome == "handed over (low_confidence); agents available: 2"
    [comment] = dimelo.calls["CreateInterventionComment"]
    assert comment.intervention_id == "iv-c-1"
    assert (
        comment.body
        == "Handed over by the bot. Reason: low_confidence.\nWhy: best FAQ match 0.41 < 0.6\nAgents available: 2"
    )
    assert [c.intervention_id for c in dimelo.calls["CloseIntervention"]] == ["iv-c-1"]
    assert [c.body for c in dimelo.calls["CreateReply"]] == ["Passing you to an agent."]


async def test_no_note_when_handover_note_is_off(peers, settings_for, start_orchestrator):
    # In: the same handover with HANDOVER_NOTE=false. Out: no comment and no intervention opened for one.
    ai, dimelo, _ = peers
    ai.response = _LOW_CONFIDENCE
    running = await start_orchestrator(settings_for(handover_note=False))

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome.startswith("handed over (low_confidence)")
    assert dimelo.calls["CreateInterventionComment"] == [] and dimelo.calls["OpenIntervention"] == []


async def test_a_refused_note_never_holds_up_the_handover(peers, settings_for, start_orchestrator):
    # In: Dimelo refuses the comment (403). Out: one attempt, the handover done all the same, on the first try.
    ai, dimelo, _ = peers
    ai.response = _LOW_CONFIDENCE
    dimelo.failures["CreateInterventionComment"] = [grpc.StatusCode.PERMISSION_DENIED]
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message())
    [event] = await settled(running, "thread-1", 1)

    assert event.outcome.startswith("handed over (low_confidence)") and event.attempts == 1
    assert len(dimelo.calls["CreateInterventionComment"]) == 1
    assert len(dimelo.calls["UpdateThreadCategories"]) == 1
