"""The orgpulse rule files as data: alerts, recording rules, metric names they use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from support.kafka import REPO

RULES_DIR = REPO / "prometheus" / "rules"
RULES = RULES_DIR / "orgpulse.rules.yml"
RULE_TESTS = RULES_DIR / "orgpulse.rules.test.yml"
COMPOSE_CONFIG = REPO / "prometheus" / "prometheus.yml"

METRIC_NAME = re.compile(r"\borgpulse_[a-z_]+")
RECORDED_NAME = re.compile(r"\borgpulse:[a-z0-9_:]+")


def load(path: Path) -> dict[str, Any]:
    """A YAML file as a mapping."""
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


def rules() -> list[dict[str, Any]]:
    """Every rule of every group of the rule file."""
    return [rule for group in load(RULES)["groups"] for rule in group["rules"]]


def alerts() -> dict[str, dict[str, Any]]:
    """Alerting rules by name."""
    return {rule["alert"]: rule for rule in rules() if "alert" in rule}


def recorded() -> dict[str, str]:
    """Recording rules: recorded name -> expression."""
    return {rule["record"]: rule["expr"] for rule in rules() if "record" in rule}


def metric_names_used() -> set[str]:
    """``orgpulse_*`` series names read by any rule expression."""
    return {name for rule in rules() for name in METRIC_NAME.findall(rule["expr"])}
