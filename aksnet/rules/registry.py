"""The one rule registry: every refusal and every guardrail of the project, and the checks that run them.

The program (`program/stack_config.py`) and the offline preview call `check_stack` when the stack is
read; the offline preview and the CrossGuard pack (`policies/__main__.py`) run the resource
rules over the recorded resources, and the pack runs the spec rules too, over the stack's
configuration that the engine hands it (`spec_verdicts`); the policy config files are the
registry's levels.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aksnet.analysis.intent import intent_of
from aksnet.analysis.reachability import member_text
from aksnet.config.lifecycle import judging_day
from aksnet.config.problems import ConfigError, Problem
from aksnet.config.stack import StackConfig
from aksnet.plan.addressing import AddressPlan, plan_addresses
from aksnet.plan.manifests import object_key
from aksnet.plan.plan import Plan, make_plan
from aksnet.rules import (
    cluster_egress,
    design,
    guardrails,
    ingress,
    kubernetes_objects,
    landing_zone,
    lifecycle,
    node_pools,
    path_rules,
)
from aksnet.rules.rule import Level, Props, Rule


def _address_problems(spec: StackConfig) -> list[Problem]:
    return plan_addresses(spec).problems


ADDRESS_PLAN = Rule(
    "address-plan", "Every range fits its purpose, none overlaps another, and Azure's and AKS's address rules hold.",
    "mandatory", "mandatory", spec=_address_problems,
    source="https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning")


def _ports_text(ports: Any) -> str:
    """A port set's description (`PortSet.describe`) in a sentence."""
    return "all ports" if ports == "all" else ", ".join(str(p) for p in ports)


def _intent_problems(spec: StackConfig, plan: Plan) -> Iterator[Problem]:
    """What the stack's NetworkPolicies allow against what its flows declare (`aksnet.analysis.intent`).
    Policies only add what they allow, so an opening nothing declares comes from the stack's literal
    policies when it has some; a declared flow that is not allowed, from the flows' compilation."""
    check = intent_of(spec, plan)
    if check is None:
        return
    opened = "kubernetes.policies" if spec.kubernetes.workloads.policies else "kubernetes.flows"
    for entries, key, what in ((check.unintended, opened, "allowed but no flow declares it"),
                               (check.missing, "kubernetes.flows", "declared but not allowed by the policies")):
        for entry in entries:
            yield Problem.at(key, f"{member_text(entry['from'])} -> {member_text(entry['to'])}: {what}: "
                                  f"{_ports_text(entry['ports'])}")


INTENT = Rule(
    "reachability-matches-intent", "The compiled NetworkPolicies allow exactly the declared flows.",
    "mandatory", "advisory", planned=_intent_problems,
    source="https://kubernetes.io/docs/concepts/services-networking/network-policies/")

RULES: tuple[Rule, ...] = (ADDRESS_PLAN, *design.RULES, *ingress.RULES, *lifecycle.RULES, *node_pools.RULES,
                           *cluster_egress.RULES, *kubernetes_objects.RULES, *guardrails.RULES, INTENT,
                           *path_rules.RULES, *landing_zone.RULES)
BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}
assert len(BY_ID) == len(RULES), "rule ids are unique"


def pack_levels(production: bool) -> dict[str, Level]:
    """The policy pack's enforcement for a kind of environment: `policies/config/<stack>.json`."""
    return {rule.id: rule.level(production) for rule in RULES if rule.checks_spec or rule.checks_resources}


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one thing, in the offline preview's JSON words."""

    policy: str
    level: Level
    resource: str
    message: str


@dataclass(frozen=True)
class CheckedStack:
    """A stack that no mandatory rule refuses, with what the checks computed on the way."""

    spec: StackConfig
    addresses: AddressPlan
    """The address plan, computed once: the plan reuses it."""
    plan: Plan
    """The plan, made once for the rules that read it and kept for the program."""
    findings: tuple[Finding, ...] = field(default=())
    """Advisory spec rules that fired."""


@dataclass(frozen=True)
class SpecVerdicts:
    """What every spec rule found in a stack, rule by rule, in the two stages `check_stack` runs."""

    addresses: AddressPlan
    plan: Plan | None
    """None when a rule of the first stage refuses the stack: the plan rules did not run."""
    found: Mapping[str, tuple[Problem, ...]]
    """Rule id to its problems, for every rule that ran (an empty tuple: it passed)."""
    levels: Mapping[str, Level]

    def refused(self) -> list[Problem]:
        return [p for rule_id, problems in self.found.items() if self.levels[rule_id] == "mandatory" for p in problems]


def spec_verdicts(spec: StackConfig, today: datetime.date, advisory: frozenset[str] = frozenset()) -> SpecVerdicts:
    """Run every spec rule not disabled at the stack's level: the first stage, then, when nothing of
    it is mandatory and refused, the plan and the rules over it."""
    levels: dict[str, Level] = {}
    for rule in RULES:
        level = rule.level(spec.environment.production)
        levels[rule.id] = "advisory" if rule.id in advisory and level == "mandatory" else level
    addresses = plan_addresses(spec)
    found: dict[str, tuple[Problem, ...]] = {}
    plan: Plan | None = None
    for after_plan in (False, True):  # rules over the plan only for a design the others accept
        if after_plan:
            if any(levels[rule_id] == "mandatory" and problems for rule_id, problems in found.items()):
                break
            plan = make_plan(spec, addresses)
        for rule in RULES:
            if rule.checks_spec and levels[rule.id] != "disabled" and rule.after_plan == after_plan:
                found[rule.id] = tuple(addresses.problems if rule is ADDRESS_PLAN
                                       else rule.spec_problems(spec, today, plan))
    return SpecVerdicts(addresses, plan, found, levels)


def check_stack(spec: StackConfig, today: datetime.date | None = None,
                advisory: frozenset[str] = frozenset()) -> CheckedStack:
    """Run every spec rule at the stack's level; raise `ConfigError` with every mandatory problem.

    `today` is the day support windows are judged on (`judging_day()` when not given).
    `advisory`: rule ids that only report here (`tools.path` shows a denied path instead of refusing it).
    """
    verdicts = spec_verdicts(spec, today or judging_day(), advisory)
    refused = verdicts.refused()
    if refused:
        raise ConfigError(refused)
    assert verdicts.plan is not None
    findings = [Finding(rule_id, verdicts.levels[rule_id], problem.path, problem.message)
                for rule_id, problems in verdicts.found.items() for problem in problems]
    return CheckedStack(spec, verdicts.addresses, verdicts.plan, tuple(findings))


@dataclass(frozen=True)
class RecordedResource:
    """What a rule sees of a resource, as a CrossGuard policy sees it."""

    resource_type: str
    """The engine's type token, such as `azure-native:network:Subnet`."""
    name: str
    urn: str
    props: Props


@dataclass(frozen=True)
class RecordedStack:
    resources: Sequence[RecordedResource]


def subject(resource: RecordedResource) -> str:
    """How a finding names the resource it is about: its type token and its name."""
    return f"{resource.resource_type} {resource.name}"


def unregistered_objects(spec: StackConfig, plan: Plan) -> tuple[RecordedResource, ...]:
    """The stack's Kubernetes objects that Pulumi does not register (delivery `gitops`: Flux applies the
    rendered files; `none`: someone else does), each as a rule sees a resource, so that the same
    guardrails hold them. None under `apply`: there they are Pulumi resources, checked as such."""
    if spec.kubernetes.delivery == "apply":
        return ()
    made = []
    for manifest in plan.manifests:
        group, _, version = manifest["apiVersion"].rpartition("/")
        name = object_key(manifest)
        made.append(RecordedResource(f"kubernetes:{group or 'core'}/{version}:{manifest['kind']}", name,
                                     f"{spec.kubernetes.delivery}:{name}", manifest))
    return tuple(made)


def check_resources(resources: Sequence[RecordedResource], levels: Mapping[str, str]) -> list[Finding]:
    """Every resource and stack rule over the recorded resources, as the policy pack runs them: a rule
    `levels` does not name runs at its production level, the pack's default (`policies/pack.py`)."""
    findings: list[Finding] = []
    for rule in RULES:
        level = levels.get(rule.id, rule.production)
        if level == "disabled" or not rule.checks_resources:
            continue
        report = _reporter(findings, rule.id, level)
        if rule.stack is not None:
            rule.stack(RecordedStack(resources), report("stack"))
        if rule.resource is not None:
            for resource in resources:
                rule.resource(resource, report(subject(resource)))
    return findings


def _reporter(findings: list[Finding], rule_id: str, level: Any) -> Callable[[str], Callable[..., None]]:
    def for_resource(resource: str) -> Callable[..., None]:
        def report(message: str, urn: Any = None) -> None:
            findings.append(Finding(rule_id, level, resource, message))
        return report
    return for_resource
