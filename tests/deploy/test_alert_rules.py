"""The Prometheus alert rules in deploy/monitoring: well formed, and every metric they use is one we export."""

import re

import yaml
from prometheus_client import REGISTRY

import orchestrator.metrics  # noqa: F401 - registers the orchestrator's metrics
import service_kit.readiness  # noqa: F401 - registers botbridge_dependency_up

from .tooling import DEPLOY

RULES = DEPLOY / "monitoring" / "botbridge-alerts.yaml"


def exported_metric_names() -> set[str]:
    """Every registered metric's name as PromQL sees it (a counter's with `_total`)."""
    return {metric.name + ("_total" if metric.type == "counter" else "") for metric in REGISTRY.collect()}


def test_alert_rules_are_well_formed_and_use_exported_metrics():
    """In: the rule file. Out: each rule has an alert name, an expression, a severity and a summary; every
    botbridge_* metric named in an expression is registered by our code (a renamed metric breaks this test); the
    dead-letter alert exists."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    exported = exported_metric_names()
    for rule in rules:
        assert rule["alert"] and rule["expr"], rule
        assert rule["labels"]["severity"] in ("critical", "warning"), rule
        assert rule["annotations"]["summary"], rule
        for metric in re.findall(r"botbridge_[a-z_]+", rule["expr"]):
            assert metric in exported, f"{rule['alert']}: {metric} is not a metric we export"
    assert "BotbridgeDeadLetter" in {rule["alert"] for rule in rules}
