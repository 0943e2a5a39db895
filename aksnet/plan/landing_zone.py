"""A landing zone of one hub stack and many spoke stacks: its address registry, the hub's plan and
what a spoke attaches to its hub. Pure, no Pulumi.

- The registry (`landing-zone.yaml` at the repository's root) lists the hub and the spokes by their
  stack files, the owner of each, the address ranges each may use and, for a spoke, the range of
  rule collection group priorities the hub assigns it on its firewall policy. Every stack of the
  landing zone checks itself against it (`registration_problems`), and the registry refuses two
  stacks whose ranges overlap, naming both owners (`registry_problems`): peered VNets must not
  overlap (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview).
- A spoke writes its own rule collection group on the hub's policy, in its range: the spoke team
  ships its rules with its cluster, the hub's stack never redeploys for them, and the registry's
  ranges keep two spokes' groups apart (Azure orders groups by priority, 100-65000:
  https://learn.microsoft.com/azure/firewall/policy-rule-sets). Its deploy identity holds only
  `HUB_ACTIONS_FOR_SPOKES` on the hub, never the hub's stack.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aksnet.config.problems import Problem
from aksnet.config.schema import Network4
from aksnet.plan.egress_rules import FirewallPolicyPlan, RuleGroup
from aksnet.plan.naming import api_server_zone_name
from aksnet.plan.routing import PEERING, PeeringSettings
from aksnet.vocabulary import KEY_VAULT_PRIVATE_ZONE, REGISTRY_PRIVATE_ZONE

RULE_GROUP_PRIORITIES = (100, 65000)
"""Azure's range of a rule collection group's priority."""

HUB_ACTIONS_FOR_SPOKES = (
    "Microsoft.Network/virtualNetworks/read",
    "Microsoft.Network/virtualNetworks/peer/action",
    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/read",
    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write",
    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/delete",
    "Microsoft.Network/privateDnsZones/read",
    "Microsoft.Network/privateDnsZones/join/action",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks/read",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks/delete",
    "Microsoft.Network/firewallPolicies/read",
    "Microsoft.Network/firewallPolicies/join/action",
    "Microsoft.Network/firewallPolicies/ruleCollectionGroups/read",
    "Microsoft.Network/firewallPolicies/ruleCollectionGroups/write",
    "Microsoft.Network/firewallPolicies/ruleCollectionGroups/delete",
)
"""What a spoke's deploy identity may do on the hub's resources (a custom role the network team
assigns at the hub VNet, its zones and its policy): its half of the peering, its zone links, its
rule collection group, and remove them when the spoke is destroyed (the deletes). Its private
endpoints' DNS zone groups keep their records in the hub's zones, which Azure checks as `join/action`
on each zone (LinkedAuthorizationFailed without it).
https://learn.microsoft.com/azure/role-based-access-control/permissions/networking"""


def hub_zones(location: str) -> tuple[str, ...]:
    """The private DNS zones the hub holds for every spoke: a private API server's (Private Link),
    the container registry's and the key vault's private endpoints'.
    https://learn.microsoft.com/azure/private-link/private-endpoint-dns"""
    return (api_server_zone_name(location, False), REGISTRY_PRIVATE_ZONE, KEY_VAULT_PRIVATE_ZONE)


# The registry ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Registration:
    name: str
    role: str
    """`hub` or `spoke`."""
    stack: str
    """The stack file's path, relative to the registry."""
    owner: str
    address_space: tuple[Network4, ...]
    priorities: tuple[int, int] | None = None
    """A spoke's rule collection group priorities, first and last."""

    @property
    def path(self) -> str:
        return "hub" if self.role == "hub" else f"spokes.{self.name}"


@dataclass(frozen=True)
class Registry:
    source: str
    """How lines name the file: `landing-zone.yaml`."""
    hub: Registration
    spokes: Mapping[str, Registration] = field(default_factory=dict)

    @property
    def entries(self) -> tuple[Registration, ...]:
        return (self.hub, *self.spokes.values())

    def entry(self, name: str) -> Registration | None:
        return self.hub if self.hub.name == name else self.spokes.get(name)


class RegistryError(Exception):
    """The registry cannot be read or refuses itself: `lines`, one problem each."""

    def __init__(self, lines: Sequence[str]):
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def read_registry(document: Any, source: str) -> Registry:
    """The registry in a parsed `landing-zone.yaml`, or `RegistryError` with one line per problem."""
    lines: list[str] = []

    def problem(path: str, message: str) -> None:
        lines.append(f"{source}: {path}: {message}")

    def entry(path: str, name: str, role: str, raw: Any) -> Registration | None:
        if not isinstance(raw, Mapping):
            problem(path, "expected a mapping with stack, owner and addressSpace")
            return None
        known = {"stack", "owner", "addressSpace"} | ({"ruleCollectionPriorities"} if role == "spoke" else set())
        for key in raw:
            if key not in known:
                problem(f"{path}.{key}", f"is not a known key; known: {', '.join(sorted(known))}")
        spaces: list[Network4] = []
        for index, text in enumerate(raw.get("addressSpace") or []):
            try:
                spaces.append(ipaddress.IPv4Network(str(text)))
            except ValueError:
                problem(f"{path}.addressSpace[{index}]", f"{text!r} is not an IPv4 CIDR with host bits zero")
        if not raw.get("addressSpace"):
            problem(f"{path}.addressSpace", "is required: the ranges this stack's VNets may use")
        for key in ("stack", "owner"):
            if not isinstance(raw.get(key), str) or not raw.get(key):
                problem(f"{path}.{key}", "is required (text)")
        priorities: tuple[int, int] | None = None
        if role == "spoke":
            value = raw.get("ruleCollectionPriorities")
            low, high = RULE_GROUP_PRIORITIES
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)
                    and low <= value[0] <= value[1] <= high):
                problem(f"{path}.ruleCollectionPriorities", f"expected [first, last], {low} <= first <= last <= "
                        f"{high}: the rule collection group priorities the hub assigns this spoke")
            else:
                priorities = (value[0], value[1])
        return Registration(name, role, str(raw.get("stack", "")), str(raw.get("owner", "")), tuple(spaces),
                            priorities)

    if not isinstance(document, Mapping) or not isinstance(document.get("hub"), Mapping):
        raise RegistryError([f"{source}: hub: is required: the hub's stack, owner and addressSpace"])
    for key in document:
        if key not in ("hub", "spokes"):
            problem(str(key), "is not a known key; known: hub, spokes")
    hub_raw = document["hub"]
    hub = entry("hub", str(hub_raw.get("name", "hub")), "hub", {k: v for k, v in hub_raw.items() if k != "name"})
    spokes: dict[str, Registration] = {}
    raw_spokes = document.get("spokes") or {}
    if not isinstance(raw_spokes, Mapping):
        problem("spokes", "expected a mapping of spoke names to their entries")
        raw_spokes = {}
    for name, raw in raw_spokes.items():
        registered = entry(f"spokes.{name}", str(name), "spoke", raw)
        if registered is not None:
            spokes[str(name)] = registered
    if lines or hub is None:
        raise RegistryError(lines)
    registry = Registry(source, hub, spokes)
    refused = registry_problems(registry)
    if refused:
        raise RegistryError(refused)
    return registry


def registry_problems(registry: Registry) -> list[str]:
    """Ranges of two stacks that overlap, and spokes' priority ranges that overlap: one line each,
    naming both stacks and their owners."""
    lines = []
    entries = registry.entries
    for index, first in enumerate(entries):
        for second in entries[index + 1:]:
            for mine in second.address_space:
                for theirs in first.address_space:
                    if mine.overlaps(theirs):
                        lines.append(f"{registry.source}: {second.path}.addressSpace: {mine} of {second.name} "
                                     f"(owner {second.owner}) overlaps {theirs} of {first.name} (owner {first.owner}); "
                                     "peered VNets need ranges of their own: give one of them another range")
            if first.priorities and second.priorities and \
                    first.priorities[0] <= second.priorities[1] and second.priorities[0] <= first.priorities[1]:
                lines.append(f"{registry.source}: {second.path}.ruleCollectionPriorities: {list(second.priorities)} "
                             f"of {second.name} overlaps {list(first.priorities)} of {first.name}; "
                             "each spoke's rule collection groups need a range of their own")
    return lines


def registration_problems(registry: Registry, name: str, role: str, spaces: Mapping[str, Sequence[Network4]],
                          priority: int | None = None) -> list[Problem]:
    """A stack against its entry: registered in its role, its VNets inside its ranges, its rule
    collection group's priority inside its range. `spaces`: key path to the VNet's prefixes."""
    entry = registry.entry(name)
    if entry is None or entry.role != role:
        known = ", ".join(e.name for e in registry.entries if e.role == role) or "none"
        return [Problem.at("landingZone.name", f"{name} is not a {role} of {registry.source} (its {role}s: {known}); "
                           "register the stack there first")]
    problems = []
    for path, prefixes in spaces.items():
        for prefix in prefixes:
            if not any(prefix.subnet_of(own) for own in entry.address_space):
                problems.append(Problem.at(path, f"{prefix} is outside the ranges {registry.source} gives {name} "
                                           f"({', '.join(map(str, entry.address_space))}); use a range of those, "
                                           "or register another"))
    if role == "spoke" and entry.priorities is not None:
        first, last = entry.priorities
        chosen = first if priority is None else priority
        if not first <= chosen <= last:
            problems.append(Problem.at("landingZone.ruleCollectionPriority",
                                       f"{chosen} is outside {first}-{last}, the range the hub assigns {name} in "
                                       f"{registry.source}; pick one in it"))
    return problems


# A spoke's attachment to its hub ----------------------------------------------------------------

@dataclass(frozen=True)
class SpokeAttachmentPlan:
    name: str
    """The spoke's name in the registry: the stem of its peering and links on the hub's side."""
    rule_group: RuleGroup | None
    """The spoke's one rule collection group on the hub's policy, or None without firewall rules."""
    ip_groups: Mapping[str, tuple[str, ...]]
    """The IP groups its rules name (the spoke creates them in its own resource group)."""
    zones: tuple[str, ...]
    """The hub's private zones the spoke links its VNet to."""
    routes: tuple[tuple[str, str], ...] = ()
    """(route name, prefix) to the hub's firewall for every other spoke's range: without them the
    system route of the private range (10.0.0.0/8 and the like, next hop None) drops spoke-to-spoke
    traffic, being longer than 0.0.0.0/0
    (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default)."""
    peering: PeeringSettings = PEERING


def spoke_zones(spec: Any) -> tuple[str, ...]:
    """The hub's zones a spoke resolves: its registry's and key vault's private endpoints', and a private
    API server's when its zone is the hub's."""
    zones = []
    if spec.cluster.private and spec.cluster.private_dns_zone == "hub":
        zones.append(api_server_zone_name(spec.environment.location, spec.cluster.api_server_vnet_integration))
    if spec.registry is not None:
        zones.append(REGISTRY_PRIVATE_ZONE)
    if spec.tls is not None:
        zones.append(KEY_VAULT_PRIVATE_ZONE)
    return tuple(zones)


def spoke_rule_group(name: str, policy: FirewallPolicyPlan | None, priority: int) -> RuleGroup | None:
    """The spoke's groups of a stack of its own (`aksnet.plan.egress_rules`) as one group on the hub's
    policy: their collections in the order Azure processed them there, renumbered in it."""
    if policy is None:
        return None
    ordered = [c for group in sorted(policy.groups, key=lambda g: g.priority)
               for c in sorted(group.collections, key=lambda c: c["priority"])]
    collections = tuple({**c, "name": f"{name}-{c['name']}", "priority": 100 + 10 * index}
                        for index, c in enumerate(ordered))
    return RuleGroup(f"spoke-{name}", "spoke", priority, collections) if collections else None


def spoke_attachment(spec: Any, plan: Any, registry: Registry) -> SpokeAttachmentPlan:
    """What a checked spoke (`aksnet.pipeline.load_stack`) attaches to its hub."""
    lz = spec.landing_zone
    entry = registry.entry(lz.name)
    first = entry.priorities[0] if entry is not None and entry.priorities else RULE_GROUP_PRIORITIES[0]
    priority = lz.rule_collection_priority if lz.rule_collection_priority is not None else first
    policy = plan.firewall
    # The other spokes' ranges, collapsed where they are adjacent: a route table holds at most 400 routes
    # (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#networking-limits),
    # and a spoke's own range stays out (a user route of its prefix would override its VNet's own).
    others = ipaddress.collapse_addresses(prefix for other in registry.spokes.values() if other.name != lz.name
                                          for prefix in other.address_space)
    routes = tuple((f"spokes-{str(prefix).replace('.', '-').replace('/', '-')}", str(prefix)) for prefix in others)
    return SpokeAttachmentPlan(lz.name, spoke_rule_group(lz.name, policy, priority),
                               dict(policy.ip_groups) if policy is not None else {}, spoke_zones(spec), routes)


# The hub's plan ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class HubPlan:
    nsg_rules: Mapping[str, tuple[Any, ...]]
    """Subnet role to its NSG rules beyond Azure's defaults: Bastion's."""
    firewall: FirewallPolicyPlan
    """The policy, without groups of the hub's own: each spoke writes its own group on it."""
    zones: tuple[str, ...]
    dns_resolver_address: str | None
    address_plan: tuple[Mapping[str, Any], ...]


def hub_plan(spec: Any) -> HubPlan:
    """The plan of a checked hub (`aksnet.config.hub.load_hub_spec`)."""
    from aksnet.plan.security_rules import BASTION_RULES
    from aksnet.vocabulary import AZURE_RESERVED_FIRST
    hub = spec.hub
    resolver = str(hub.subnets["dns"].network_address + AZURE_RESERVED_FIRST) \
        if spec.dns_resolver and "dns" in hub.subnets else None
    rows = [*({"cidr": str(space), "role": "hub vnet", "size": space.num_addresses,
               "usable": space.num_addresses, "needed": None, "headroom": None} for space in hub.address_space),
            *({"cidr": str(prefix), "role": f"hub subnet {name}", "size": prefix.num_addresses,
               "usable": prefix.num_addresses - 5, "needed": None, "headroom": None}
              for name, prefix in hub.subnets.items())]
    return HubPlan(
        nsg_rules={"AzureBastionSubnet": tuple(BASTION_RULES)} if "AzureBastionSubnet" in hub.subnets else {},
        firewall=FirewallPolicyPlan({}, (), spec.firewall.dns_proxy, ()),
        zones=hub_zones(spec.environment.location), dns_resolver_address=resolver, address_plan=tuple(rows))
