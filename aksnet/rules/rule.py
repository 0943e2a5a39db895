"""What a rule is: one refusal or guardrail, with an id, a level per kind of environment, and
checks over the stack's spec, its recorded resources, or both. Pure, no Pulumi.

- `spec` runs when the stack is read (`aksnet.rules.check_stack`), in the program and in the
  offline preview alike. At `mandatory` its problems refuse the stack; at `advisory` they are
  findings.
- `resource` sees one resource's engine (camelCase) properties, `stack` all of them at once,
  exactly as a CrossGuard policy does: the policy pack, the offline preview and the tests run
  these same functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from aksnet.spec.problems import Problem
from aksnet.spec.stack import StackConfig

Level = Literal["mandatory", "advisory", "disabled"]
Report = Callable[[str, str | None], None]
"""`report(message, urn)`: pulumi_policy's `report_violation`."""
SpecCheck = Callable[[StackConfig], Iterable[Problem]]
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

    def level(self, production: bool) -> Level:
        return self.production if production else self.development

    @property
    def checks_resources(self) -> bool:
        """Whether the policy pack can run it (it sees resources, never the stack file)."""
        return self.resource is not None or self.stack is not None


def refusal(rule_id: str, description: str, check: SpecCheck, source: str = "", *,
            production: Level = "mandatory", development: Level = "mandatory") -> Rule:
    """A rule over the spec alone, refusing the stack in every kind of environment by default."""
    return Rule(rule_id, description, production, development, spec=check, source=source)


def resource_rule(rule_id: str, description: str, check: ResourceCheck, production: Level, development: Level,
                  source: str = "") -> Rule:
    """A guardrail over each recorded resource, as a CrossGuard resource policy."""
    return Rule(rule_id, description, production, development, resource=check, source=source)


def stack_rule(rule_id: str, description: str, check: ResourceCheck, production: Level, development: Level,
               source: str = "") -> Rule:
    """A guardrail over all recorded resources at once, as a CrossGuard stack policy."""
    return Rule(rule_id, description, production, development, stack=check, source=source)
