"""The ordering window grows while Dimelo's deliveries come unevenly late: the lateness kept over a sliding horizon,
and the window computed from it (orchestrator/delivery_lateness.py, orchestrator/ordering.py)."""

import random

import pytest

from orchestrator.delivery_lateness import DeliveryLateness
from orchestrator.ordering import window


def test_the_bounds_are_the_least_and_greatest_lateness_within_the_horizon_whatever_the_order_recorded():
    """In: 2,000 random latenesses recorded at random rising times, a 10 s horizon. Out: after each record, the
    bounds equal the least and greatest of the values recorded less than 10 s before (computed by brute force)."""
    chance = random.Random(3)
    lateness, seen, now = DeliveryLateness(horizon=10.0), [], 0.0
    for _ in range(2_000):
        now += chance.expovariate(20)
        batch = [chance.uniform(-1, 3) for _ in range(chance.randint(1, 4))]
        lateness.record(batch, at=now)
        seen += [(now, value) for value in batch]
        within = [value for at, value in seen if at > now - 10.0]
        assert lateness.bounds(at=now) == (min(within), max(within))


def test_nothing_recorded_or_all_of_it_older_than_the_horizon_gives_no_bounds():
    lateness = DeliveryLateness(horizon=10.0)
    assert lateness.bounds(at=100.0) is None
    lateness.record([0.5, 2.0], at=100.0)
    assert lateness.bounds(at=109.9) == (0.5, 2.0)
    assert lateness.bounds(at=110.0) is None


def test_deliveries_as_late_as_each_other_keep_the_base_window():
    """In: a 0.3 s base window; recent lateness all within 50 ms. Out: 0.3 s."""
    assert window(0.3, 5.0, lateness=0.12, recent=(0.10, 0.15)) == 0.3
    assert window(0.3, 5.0, lateness=0.12, recent=None) == 0.3


def test_uneven_lateness_grows_the_window_to_twice_the_spread_less_how_late_the_event_itself_came():
    """In: recent lateness from 0.2 to 1.2 s (a backlog). Out: an event 0.25 s late waits 2 x 1.0 - 0.05 = 1.95 s,
    one that came as late as the latest recent one waits less (1.0 s), one with no issued_at waits twice the spread."""
    assert window(0.3, 5.0, lateness=0.25, recent=(0.2, 1.2)) == pytest.approx(1.95)
    assert window(0.3, 5.0, lateness=1.2, recent=(0.2, 1.2)) == pytest.approx(1.0)
    assert window(0.3, 5.0, lateness=None, recent=(0.2, 1.2)) == pytest.approx(2.0)


def test_the_window_never_grows_past_its_most_nor_shrinks_below_its_base():
    assert window(0.3, 5.0, lateness=0.0, recent=(0.0, 30.0)) == 5.0
    assert window(60.0, 5.0, lateness=0.0, recent=(0.0, 30.0)) == 60.0
    assert window(0.3, 5.0, lateness=3.0, recent=(0.0, 1.0)) == 0.3


def test_an_offset_between_dimelos_clock_and_ours_changes_nothing():
    """In: the same deliveries seen through a clock 7 s ahead of Dimelo's, then 3 s behind it. Out: the same window."""
    for offset in (7.0, -3.0):
        assert window(0.3, 5.0, lateness=0.25 + offset, recent=(0.2 + offset, 1.2 + offset)) == pytest.approx(1.95)


def test_with_the_ordering_window_off_nothing_is_held_however_late_deliveries_come():
    assert window(0.0, 5.0, lateness=0.0, recent=(0.0, 3.0)) == 0.0
