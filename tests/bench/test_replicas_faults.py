"""Section 7 names the faults behind a stall: its rounds' faults are added up per stack and printed in a note."""

from bench.end_to_end import Batch
from bench.replicas import Configuration, Faults, Round
from bench.replicas_section import faults_note


def measured(replicas: int, *faults: Faults) -> Configuration:
    batch = Batch(messages=400, unanswered=0, seconds=4.0, cpu_seconds={"orchestrator": 2.0})
    return Configuration(replicas, [Round(batch, 4.0, 6.0, fault) for fault in faults])


def test_the_faults_of_each_stack_are_added_up_and_named():
    # In: one replica's two rounds without faults; two replicas' rounds with one Dimelo request that got no answer,
    # then one more and a refused webhook request. Out: "none" for the first, the sums (2 and 1) for the second.
    note = faults_note(
        measured(1, Faults(), Faults()), measured(2, Faults(no_answer=1), Faults(no_answer=1, refused=1))
    )

    assert note.startswith("faults while measured")
    assert "1 replica: none" in note
    assert "2 replicas: 2 Dimelo request(s) with no answer" in note and "1 webhook request(s) refused" in note
