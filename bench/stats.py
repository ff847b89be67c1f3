"""Percentiles of measured samples."""

import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], percent: int) -> float:
    """The `percent`-th percentile (inclusive method), in the samples' unit; 0 without samples."""
    if len(samples) < 2:
        return samples[0] if samples else 0.0
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]
