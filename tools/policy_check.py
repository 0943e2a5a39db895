"""Run the policy pack's rules over a mocked run's resources, as `pulumi preview --policy-pack` would."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Sequence

from policies.rules import RULES, levels
from tools.mock_engine import PROJECT_DIR, Record

CONFIG_DIR = os.path.join(PROJECT_DIR, "policies", "config")


@dataclass(frozen=True)
class PolicyResource:
    """What a rule sees of a resource: the engine's type, name, URN and camelCase inputs."""

    resource_type: str
    name: str
    urn: str
    props: dict


@dataclass(frozen=True)
class StackArgs:
    resources: Sequence[PolicyResource]


def enforcement(stack: str, production: bool) -> dict[str, str]:
    """The stack's policy-pack config file when it has one, else the rules' own levels."""
    path = os.path.join(CONFIG_DIR, f"{stack}.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            return {**levels(production), **json.load(handle)}
    return levels(production)


def check(records: Sequence[Record], stack: str, production: bool) -> list[dict[str, Any]]:
    resources = [PolicyResource(r.type, r.name, r.urn, r.inputs) for r in records if r.custom]
    level_of = enforcement(stack, production)
    findings: list[dict[str, Any]] = []
    for rule in RULES:
        level = level_of.get(rule.name, "advisory")
        if level == "disabled":
            continue

        def report(message: str, urn: Any = None, resource: str = "stack", rule: Any = rule, level: str = level) -> None:
            findings.append({"policy": rule.name, "level": level, "resource": resource, "message": message})

        if rule.stack:
            rule.validate(StackArgs(resources), report)
        else:
            for resource in resources:
                rule.validate(resource, lambda message, urn=None, resource=resource:
                              report(message, urn, f"{resource.resource_type} {resource.name}"))
    return findings
