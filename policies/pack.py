"""The pack's policies: one for each rule of the registry (`aksnet.rules.registry`), named by its id.

- A rule over one resource is a resource policy: it sees each resource's inputs before it is made.
- A rule over the stack file is a stack policy that runs the rule over the stack's configuration,
  which the engine hands a policy pack as it hands it to the program (the `PULUMI_CONFIG`
  environment variable: pulumi/pulumi, `sdk/go/common/resource/plugin/analyzer_plugin.go`,
  `constructEnv`). So the pack and the program answer a stack with the same rule, and a stack
  whose program skipped the check still meets it here.
- A rule over all the resources at once is a stack policy too.

Building the policies starts nothing: `policies/__main__.py` hands them to `PolicyPack`.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Mapping
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
from aksnet.config.stack import load_spec
from aksnet.rules.registry import RULES, SpecVerdicts, spec_verdicts
from aksnet.rules.rule import Rule
from aksnet.vocabulary import NS
from program.stack_config import running_config


@functools.lru_cache(maxsize=4)
def _verdicts(config: str, stack: str, today: datetime.date) -> SpecVerdicts | str:
    """Every spec rule over one config map (as JSON), once however many policies ask; or why none runs."""
    values: Mapping[str, Any] = json.loads(config)
    if not any(key.startswith(f"{NS}:") for key in values):
        return f"stack {stack} has no {NS} configuration"
    try:
        return spec_verdicts(load_spec(values, stack), today)
    except ConfigError as error:
        return f"the stack file does not parse ({len(error.problems)} problems; the program lists them)"


def running_verdicts() -> SpecVerdicts | str:
    return _verdicts(json.dumps(running_config(), sort_keys=True, default=str), pulumi.get_stack(),
                     judging_day())


def _spec_policy(rule: Rule, verdicts: Callable[[], SpecVerdicts | str]) -> StackValidationPolicy:
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
            rule.stack(args, report)
        if rule.resource is not None:
            for resource in args.resources:
                rule.resource(resource, report)
    return StackValidationPolicy(name=rule.id, description=rule.description, validate=validate,
                                 enforcement_level=EnforcementLevel(rule.production))


def policies(verdicts: Callable[[], SpecVerdicts | str] = running_verdicts) -> list[Policy]:
    """The pack's policies at the registry's production levels (a stack's config file sets its own).

    `verdicts`: the spec rules' findings for the stack being checked (the running one by default).
    """
    made: list[Policy] = []
    for rule in RULES:
        level = EnforcementLevel(rule.production)
        if rule.checks_spec:
            made.append(_spec_policy(rule, verdicts))
        elif rule.stack is not None:
            made.append(StackValidationPolicy(name=rule.id, description=rule.description, validate=rule.stack,
                                              enforcement_level=level))
        elif rule.resource is not None:
            made.append(ResourceValidationPolicy(name=rule.id, description=rule.description,
                                                 validate=rule.resource, enforcement_level=level))
    return made
