"""The CrossGuard policy pack: `pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json`.

Only builds the pack (constructing it starts the policy server, which never returns); the rules
live in rules.py, where the tests and the offline preview import them.
"""

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy

from rules import RULES

LEVELS = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY,
          "disabled": EnforcementLevel.DISABLED}

PolicyPack(
    name="aks-networking",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[
        (StackValidationPolicy if rule.stack else ResourceValidationPolicy)(
            name=rule.name, description=rule.description, validate=rule.validate,
            enforcement_level=LEVELS[rule.production])
        for rule in RULES
    ],
)
