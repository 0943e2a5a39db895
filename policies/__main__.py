"""The CrossGuard policy pack.

    pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json


A thin adapter over the project's rule registry (`aksnet.rules.registry`): each rule that checks
resources becomes a policy of the same name and default level. Constructing the pack starts
the policy server, which never returns; the tests and the offline preview run the registry.
"""

import os
import sys

# The pack runs from policies/; the registry lives in the project beside it.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pulumi_policy import EnforcementLevel, Policy, PolicyPack, ResourceValidationPolicy, StackValidationPolicy

from aksnet.rules.registry import RULES

LEVELS = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY,
          "disabled": EnforcementLevel.DISABLED}

policies: list[Policy] = []
for rule in RULES:
    if rule.resource is not None:
        policies.append(ResourceValidationPolicy(name=rule.id, description=rule.description, validate=rule.resource,
                                                 enforcement_level=LEVELS[rule.production]))
    if rule.stack is not None:
        policies.append(StackValidationPolicy(name=rule.id, description=rule.description, validate=rule.stack,
                                              enforcement_level=LEVELS[rule.production]))

PolicyPack(name="aks-networking", enforcement_level=EnforcementLevel.ADVISORY, policies=policies)
