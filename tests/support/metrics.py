"""A service's Prometheus page, asked by the tests rather than its logs or its database."""

import httpx
from prometheus_client.parser import text_string_to_metric_families


def metric_samples(metrics_url: str, name: str) -> list[tuple[dict[str, str], float]]:
    """The samples named `name` (a counter's with its `_total`) on the page at `metrics_url`: (labels, value)."""
    page = httpx.get(metrics_url, timeout=5).text
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(page)
        for sample in family.samples
        if sample.name == name
    ]


def metric_total(metrics_url: str, name: str, **labels: str) -> float:
    """The sum of the samples named `name` whose labels include `labels`; 0 when there is none."""
    return sum(value for found, value in metric_samples(metrics_url, name) if labels.items() <= found.items())
