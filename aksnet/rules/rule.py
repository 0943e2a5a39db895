"""What a rule is: one refusal or guardrail, with an id, a level per kind of environment, and
checks over the stack's spec, its recorded resources, or both. Pure, no Pulumi.

- `spec` runs when the stack is read (`aksnet.rules.registry.check_stack`), in the program and in
  the offline preview alike, and in the policy pack over the stack's configuration. At
  `mandatory` its problems refuse the stack; at `advisory` they are findings.
- `resource` sees one resource's engine (camelCase) properties, `stack` all of them at once,
  exactly as a CrossGuard policy does: the policy pack, the offline preview and the tests run
  these same functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.plan.plan import Plan

Level = Literal["mandatory", "advisory", "disabled"]
Props = Mapping[str, Any]
"""A resource's inputs, as the engine hands them to a policy: camelCase keys."""
Report = Callable[[str, str | None], None]
"""`report(message, urn)`: pulumi_policy's `report_violation`."""
SpecCheck = Callable[[StackConfig], Iterable[Problem]]
DatedCheck = Callable[[StackConfig, datetime.date], Iterable[Problem]]
"""A spec check that depends on the day it runs (support windows); the day is injected."""
PlanCheck = Callable[[StackConfig, Plan], Iterable[Problem]]
"""A check over the stack and its plan (the path model walks the plan's network)."""
ResourceCheck = Callable[[Any, Report], None]
"""`check(args, report)`: `args` has `resource_type`, `props`, `name`, `urn` (resource rules) or
`resources`, a sequence of such objects (stack rules)."""


@dataclass(frozen=True)
class Rule:
    id: str
    """Stable and kebab-case: the CrossGuard policy name and the key of the policy config files."""
    description: str
    production: Level
    development: Level
    spec: SpecCheck | None = None
    resource: ResourceCheck | None = None
    stack: ResourceCheck | None = None
    source: str = ""
    """The documentation that forces the rule."""
    dated: DatedCheck | None = None
    over_plan: bool = False
    """Its spec check reads the plan (manifests, names), which only a design that passes every
    other refusal has: it runs after them."""
    planned: PlanCheck | None = None
    """A check over the plan itself; it runs after every other spec rule, as `over_plan` ones do."""
    types: tuple[str, ...] | None = None
    """The resource types its resource or stack check reads (None: every type)."""

    def level(self, production: bool) -> Level:
        return self.production if production else self.development

    @property
    def checks_spec(self) -> bool:
        return self.spec is not None or self.dated is not None or self.planned is not None

    @property
    def after_plan(self) -> bool:
        """Whether it runs in the second stage, once the stack passes every other refusal."""
        return self.over_plan or self.planned is not None

    def spec_problems(self, spec: StackConfig, today: datetime.date, plan: Plan | None = None) -> list[Problem]:
        """What the rule finds in a stack's spec (and its plan, for a plan check) on a day."""
        if self.planned is not None:
            assert plan is not None, "a plan check runs in the second stage"
            return list(self.planned(spec, plan))
        if self.dated is not None:
            return list(self.dated(spec, today))
        return list(self.spec(spec)) if self.spec is not None else []

    @property
    def checks_resources(self) -> bool:
        return self.resource is not None or self.stack is not None


class RuleBook:
    """Rules declared where their checks are, by decorators, in the order of the module."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def add(self, rule: Rule) -> Rule:
        self.rules.append(rule)
        return rule
    def refusal(self, rule_id: str, description: str, source: str, *, production: Level = "mandatory",
                development: Level = "mandatory", over_plan: bool = False) -> Callable[[SpecCheck], SpecCheck]:
        """A rule over the spec alone, refusing the stack in every kind of environment by default."""
        def declare(check: SpecCheck) -> SpecCheck:
            self.add(Rule(rule_id, description, production, development, spec=check, source=source,
                          over_plan=over_plan))
            return check
        return declare

    def plan_rule(self, rule_id: str, description: str, source: str, *, production: Level,
                  development: Level) -> Callable[[PlanCheck], PlanCheck]:
        """A rule over the stack and its plan."""
        def declare(check: PlanCheck) -> PlanCheck:
            self.add(Rule(rule_id, description, production, development, planned=check, source=source))
            return check
        return declare

    def dated_refusal(self, rule_id: str, description: str, source: str, *, production: Level = "mandatory",
                      development: Level = "mandatory") -> Callable[[DatedCheck], DatedCheck]:
        """A rule over the spec and the day it is checked on."""
        def declare(check: DatedCheck) -> DatedCheck:
            self.add(Rule(rule_id, description, production, development, dated=check, source=source))
            return check
        return declare

    def guardrail(self, rule_id: str, description: str, source: str, *, production: Level, development: Level,
                  of: tuple[str, ...] | None = None, whole_stack: bool = False
                  ) -> Callable[[ResourceCheck], ResourceCheck]:
        """A guardrail over the recorded resources, as a CrossGuard policy: over each resource of the
        types `of` (None: of every type), or over all of them at once (`whole_stack`, a stack policy,
        which reads the types `of`)."""
        def declare(check: ResourceCheck) -> ResourceCheck:
            if whole_stack:
                self.add(Rule(rule_id, description, production, development, source=source, stack=check, types=of))
                return check

            def of_its_types(args: Any, report: Report) -> None:
                if of is None or args.resource_type in of:
                    check(args, report)
            self.add(Rule(rule_id, description, production, development, source=source, resource=of_its_types,
                          types=of))
            return of_its_types
        return declare
