"""Section 7's exactly-once and order count (bench/effects.py) over transcripts shaped as the sandbox gives them."""

from bench.effects import count


def transcript(*contents: tuple[str, str, str | None], interventions: int = 1) -> dict:
    """Contents as (author_kind, id, in_reply_to_id), in Dimelo's order."""
    return {
        "contents": [{"author_kind": kind, "id": id_, "in_reply_to_id": to} for kind, id_, to in contents],
        "interventions": [{"id": f"i{n}"} for n in range(interventions)],
    }


def test_every_message_answered_once_in_order_is_kept():
    # In: two threads, each customer message followed (or, for c2, preceded by c1's reply) by one bot reply to it,
    # and a bot reply to a content that is not ours. Out: nothing unanswered, duplicated or out of order: kept.
    found = count(
        {
            "t1": transcript(
                ("customer", "c1", None), ("customer", "c2", "c1"), ("bot", "r1", "c1"), ("bot", "r2", "c2")
            ),
            "t2": transcript(
                ("bot", "welcome", None), ("customer", "c3", None), ("bot", "r3", "c3"), ("bot", "x", "y")
            ),
        },
        {"c1", "c2", "c3"},
    )

    assert (found.messages, found.threads) == (3, 2)
    assert found.kept and found.summary() == "kept"


def test_each_broken_promise_is_counted():
    # In: t1 answers c2 before c1; t2 answers c3 twice and leaves c4 unanswered; t3 has two interventions.
    # Out: one thread out of order, one message duplicated, one unanswered, one thread with 2+ interventions.
    found = count(
        {
            "t1": transcript(
                ("customer", "c1", None), ("customer", "c2", "c1"), ("bot", "r2", "c2"), ("bot", "r1", "c1")
            ),
            "t2": transcript(
                ("customer", "c3", None), ("bot", "r3", "c3"), ("bot", "r3b", "c3"), ("customer", "c4", "r3")
            ),
            "t3": transcript(("customer", "c5", None), ("bot", "r5", "c5"), interventions=2),
        },
        {"c1", "c2", "c3", "c4", "c5"},
    )

    assert (found.out_of_order_threads, found.duplicated, found.unanswered, found.extra_interventions) == (1, 1, 1, 1)
    assert not found.kept
    assert found.summary() == (
        "1 unanswered, 1 answered twice or more, 1 threads out of order, 1 threads with 2+ interventions"
    )
