"""The `landingZone` section: the stack's role in a landing zone of one hub and many spokes. Pure, no Pulumi.

    aks-networking:landingZone:
      role: spoke                    # hub, spoke, or combined (the default: hub and spoke in one stack)
      name: spoke-a                  # the stack's entry in the address registry (default: the stack's name)
      registry: landing-zone.yaml    # the landing zone's address registry, relative to the project
      hub: contoso/aks-networking/hub   # a spoke's hub: its stack (org/project/stack) ...
      # hub: {vnetId: ..., firewallPrivateIp: ..., ...}   # ... or a brownfield hub's resource ids
      ruleCollectionPriority: 1000   # the spoke's rule collection group on the hub's policy

Aks-baseline deploys the hub first and the spokes from its outputs:
https://github.com/mspnp/aks-baseline/blob/main/docs/deploy/04-networking.md
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aksnet.config.schema import Obj, show

ROLES = ("combined", "hub", "spoke")
STACK_REFERENCE = r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+"
"""A fully qualified stack name, `organization/project/stack`.
https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences"""
DEFAULT_REGISTRY = "landing-zone.yaml"


@dataclass(frozen=True)
class LandingZoneSpec:
    role: str = "combined"
    """`combined` builds hub and spoke in one stack (every stack before the landing zone); `hub` the
    shared network alone; `spoke` a workload's network and cluster, attached to a hub of another stack."""
    name: str | None = None
    """The stack's entry in the registry; None: the stack's own name."""
    registry: str = DEFAULT_REGISTRY
    hub_stack: str | None = None
    """A spoke's hub, `organization/project/stack`, read through a StackReference."""
    hub_outputs: Mapping[str, Any] = field(default_factory=dict)
    """A brownfield hub's resource ids, in the hub contract's output names (`aksnet.plan.hub_contract`)."""
    rule_collection_priority: int | None = None
    """The spoke's rule collection group's priority; None: the first of the range the registry assigns."""


def read_landing_zone(obj: Obj, stack: str) -> LandingZoneSpec:
    role = obj.choice("role", ROLES, "combined",
                      doc="`combined`: hub and spoke in one stack; `hub`: the shared network alone (deployed from "
                          "`hub/`); `spoke`: a workload's network and cluster, attached to a hub of another stack")
    name = obj.text("name", stack, pattern=r"[a-z][a-z0-9-]{0,62}",
                    hint="lower-case letters, digits and hyphens, as in the registry",
                    doc="the stack's entry in the landing zone's registry", default_doc="the stack's name")
    registry = obj.text("registry", DEFAULT_REGISTRY, pattern=r"[A-Za-z0-9_./-]+\.ya?ml",
                        hint="a YAML file's path relative to the repository, e.g. landing-zone.yaml",
                        doc="the landing zone's address registry, relative to the repository's root")
    raw_hub = obj.raw("hub", None, doc="a spoke's hub: its stack (`organization/project/stack`), or a mapping of a "
                                       "brownfield hub's ids in the hub contract's names (aksnet/plan/hub_contract.py)",
                      source="https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences")
    hub_stack: str | None = None
    hub_outputs: Mapping[str, Any] = {}
    if isinstance(raw_hub, str) and re.fullmatch(STACK_REFERENCE, raw_hub):
        hub_stack = raw_hub
    elif isinstance(raw_hub, Mapping):
        hub_outputs = dict(raw_hub)  # checked against the contract by aksnet.plan.hub_contract
    elif raw_hub is not None:
        obj.problems.add(obj.key_path("hub"), f"is {show(raw_hub)}; expected the hub's stack as "
                         "organization/project/stack, or a mapping of a brownfield hub's resource ids")
    priority = obj.whole("ruleCollectionPriority", None, minimum=100, maximum=65000,
                         doc="the priority of the spoke's rule collection group on the hub's firewall policy",
                         default_doc="the first of the range the registry assigns the spoke",
                         source="https://learn.microsoft.com/azure/firewall/policy-rule-sets")
    obj.done()
    path = obj.path
    if role == "spoke" and raw_hub is None:
        obj.problems.add(f"{path}.hub", "is required for a spoke: the hub's stack (organization/project/stack) "
                         "or a brownfield hub's resource ids")
    if role != "spoke":
        for key, given in (("hub", raw_hub is not None), ("ruleCollectionPriority", priority is not None)):
            if given:
                obj.problems.add(f"{path}.{key}", f"applies to role spoke only; this stack's role is {role}")
    return LandingZoneSpec(role=role, name=name if role != "combined" else None, registry=registry,
                           hub_stack=hub_stack, hub_outputs=hub_outputs, rule_collection_priority=priority)
