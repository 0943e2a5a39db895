"""The pack's policies: one for each rule of the registry (`aksnet.rules.registry`), named by its id.

- A rule over one resource is a resource policy: it sees each resource's inputs before it is made.
- A rule over the stack file is a stack policy that runs the rule over the stack's configuration,
  which the engine hands a policy pack as it hands it to the program (the `PULUMI_CONFIG`
  environment variable: pulumi/pulumi, `sdk/go/common/resource/plugin/analyzer_plugin.go`,
  `constructEnv`). So the pack and the program answer a stack with the same rule, and a stack
  whose program skipped the check still meets it here.
- A rule over all the resources at once is a stack policy too.
- The Kubernetes objects Pulumi does not register (`kubernetes.delivery` gitops, where Flux applies
  the rendered files, or none) never reach a policy as resources; so the pack makes them from the
  plan it builds from `PULUMI_CONFIG`, as the offline preview does (`unregistered_objects`), and
  holds them to the same guardrails: a resource rule checks them when it sees the cluster they are
  for (before the cluster is made, so `pulumi up` stops there), a whole-stack rule beside the
  registered resources. Under `apply` there are none: the objects are resources, checked once.
- A landing zone's hub (`landingZone.role: hub`, `hub/__main__.py`, docs/landing-zone.md) holds no
  cluster and no workloads, and the spec rules read a cluster's stack file: on a hub each spec
  policy answers not-applicable, saying so, and the resource and whole-stack rules check the hub's
  resources (its firewall, VNet, zones) as on any stack. A hub's file that does not parse as a hub
  leaves them unrun as any stack's does. A spoke is a stack file like any other: every rule applies.

Building the policies starts nothing: `policies/__main__.py` hands them to `PolicyPack`.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from aksnet.config.lifecycle import judging_day
from aksnet.config.problems import ConfigError
from aksnet.config.stack import decode_value, load_spec
from aksnet.rules.registry import (
    RULES,
    RecordedResource,
    RecordedStack,
    SpecVerdicts,
    spec_verdicts,
    subject,
    unregistered_objects,
)
from aksnet.rules.rule import Report, ResourceCheck, Rule
from aksnet.vocabulary import CLUSTER, NS
from program.stack_config import running_config

Unregistered = Callable[[], Sequence[RecordedResource]]
"""The running stack's Kubernetes objects that Pulumi does not register (`unregistered_objects`)."""


@functools.lru_cache(maxsize=4)
def _checked(config: str, stack: str, today: datetime.date) -> tuple[SpecVerdicts, tuple[RecordedResource, ...]] | str:
    """Every spec rule over one config map (as JSON), and the objects of its plan that Pulumi does not
    register; once however many policies ask. Or why there is nothing to check."""
    values: Mapping[str, Any] = json.loads(config)
    if not any(key.startswith(f"{NS}:") for key in values):
        return f"stack {stack} has no {NS} configuration"
    if _role(values) == "hub":
        from aksnet.config.hub import load_hub_spec
        try:
            load_hub_spec(values, stack)
        except ConfigError as error:
            return f"the hub's stack file does not parse ({len(error.problems)} problems; the program lists them)"
        return (f"stack {stack} is a landing zone's hub: it holds no cluster, and this rule reads a cluster's "
                "stack file (hub/__main__.py checks the hub's own)")
    try:
        spec = load_spec(values, stack)
    except ConfigError as error:
        return f"the stack file does not parse ({len(error.problems)} problems; the program lists them)"
    verdicts = spec_verdicts(spec, today)
    return verdicts, (unregistered_objects(spec, verdicts.plan) if verdicts.plan is not None else ())


def _role(values: Mapping[str, Any]) -> Any:
    """The stack's `landingZone.role` as its file writes it (`combined` when it writes none)."""
    section = decode_value(values.get(f"{NS}:landingZone"))
    return section.get("role", "combined") if isinstance(section, Mapping) else "combined"


def _running() -> tuple[SpecVerdicts, tuple[RecordedResource, ...]] | str:
    return _checked(json.dumps(running_config(), sort_keys=True, default=str), pulumi.get_stack(),
                    judging_day())


def running_verdicts() -> SpecVerdicts | str:
    found = _running()
    return found if isinstance(found, str) else found[0]


def running_unregistered() -> tuple[RecordedResource, ...]:
    """Those of the running stack; none when it is refused before its plan (the spec policies say why)."""
    found = _running()
    return () if isinstance(found, str) else found[1]


def _about(resource: RecordedResource, report: ReportViolation) -> Report:
    """Report a violation of an unregistered object, naming it: the engine can name only resources."""
    def report_it(message: str, urn: str | None = None) -> None:
        report(f"{subject(resource)}: {message}", None)
    return report_it


def _resource_validation(check: ResourceCheck, unregistered: Unregistered) -> ResourceCheck:
    """`check` over each resource, and over the unregistered objects when it sees the cluster."""
    def validate(args: Any, report: ReportViolation) -> None:
        check(args, report)
        if args.resource_type == CLUSTER:
            for resource in unregistered():
                check(resource, _about(resource, report))
    return validate


def _stack_validation(check: ResourceCheck, unregistered: Unregistered) -> ResourceCheck:
    """`check` over the registered resources and the unregistered objects together."""
    def validate(args: Any, report: ReportViolation) -> None:
        check(RecordedStack([*args.resources, *unregistered()]), report)
    return validate


def _spec_policy(rule: Rule, verdicts: Callable[[], SpecVerdicts | str],
                 unregistered: Unregistered) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        found = verdicts()
        if isinstance(found, str):
            args.not_applicable(found)  # raises: the engine records why the policy did not run
            return
        if rule.id not in found.found:
            args.not_applicable("the stack is refused before its plan is made, and this rule reads the plan")
            return
        for problem in found.found[rule.id]:
            report(f"{problem.path}: {problem.message}", None)
        if rule.stack is not None:
            _stack_validation(rule.stack, unregistered)(args, report)
        if rule.resource is not None:
            for resource in args.resources:
                rule.resource(resource, report)
            for unregistered_object in unregistered():
                rule.resource(unregistered_object, _about(unregistered_object, report))
    return StackValidationPolicy(name=rule.id, description=rule.description, validate=validate,
                                 enforcement_level=EnforcementLevel(rule.production))


def policies(verdicts: Callable[[], SpecVerdicts | str] = running_verdicts,
             unregistered: Unregistered = running_unregistered) -> list[Policy]:
    """The pack's policies at the registry's production levels (a stack's config file sets its own).

    `verdicts`: the spec rules' findings for the stack being checked (the running one by default);
    `unregistered`: its Kubernetes objects that Pulumi does not register.
    """
    made: list[Policy] = []
    for rule in RULES:
        level = EnforcementLevel(rule.production)
        if rule.checks_spec:
            made.append(_spec_policy(rule, verdicts, unregistered))
        elif rule.stack is not None:
            made.append(StackValidationPolicy(name=rule.id, description=rule.description,
                                              validate=_stack_validation(rule.stack, unregistered),
                                              enforcement_level=level))
        elif rule.resource is not None:
            made.append(ResourceValidationPolicy(name=rule.id, description=rule.description,
                                                 validate=_resource_validation(rule.resource, unregistered),
                                                 enforcement_level=level))
    return made
