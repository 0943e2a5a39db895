"""Rules over the path model: every declared or derived flow arrives, nothing else reaches in.

They read the plan (`aksnet.analysis.path_report`), so they run after every other refusal.
A denied flow names the layer that denies it; the stack key is the one that declares or implies it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from aksnet.analysis.path_report import path_report
from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.plan.plan import Plan
from aksnet.rules.rule import Rule, RuleBook
from aksnet.vocabulary import PRIVATE_RANGES, SHARED_ADDRESS_SPACE

book = RuleBook()
PATH_MODEL = "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress"
SPOKE_RANGES = tuple(ipaddress.IPv4Network(r) for r in (*PRIVATE_RANGES, SHARED_ADDRESS_SPACE))
"""Where another spoke's VNet can be: RFC 1918's ranges and RFC 6598's shared space, the ones Azure routes
privately by default.
Not link-local 169.254.0.0/16 (the host's metadata and DNS) nor documentation ranges, which Python's
`is_private` counts."""


@book.plan_rule("declared-paths-arrive", "Every declared and derived flow is allowed by every layer on its path.",
                PATH_MODEL, production="mandatory", development="advisory")
def declared_paths_arrive(spec: StackConfig, plan: Plan) -> Iterator[Problem]:
    across = _across_spokes(spec)
    for entry in path_report(spec, plan).paths:
        if entry.path.verdict == "denied" and entry.flow not in across:
            yield Problem.at(entry.origin, f"flow {entry.flow}: {entry.describe()}")


def _across_spokes(spec: StackConfig) -> frozenset[str]:
    """A spoke's flows with another spoke: to or from a private range outside its own VNet. Its own path
    model ends at its VNet; the landing zone's preview walks them through the hub
    (`aksnet.analysis.paths.joined`), where their routes, the hub's firewall and the other spoke are known."""
    if spec.landing_zone.role != "spoke":
        return frozenset()
    own = spec.network.spoke.address_space
    names = set()
    for flow in spec.kubernetes.workloads.flows:
        for end in (flow.source, flow.destination):
            if end.cidr is not None and end.fqdn is None and any(end.cidr.subnet_of(r) for r in SPOKE_RANGES) \
                    and not any(end.cidr.subnet_of(space) for space in own):
                names.add(flow.name)
    return frozenset(names)


@book.plan_rule("no-undeclared-exposure", "Nothing on the internet reaches an app unless a flow, an Ingress, a "
                "public Service or a DNAT rule declares it.", PATH_MODEL, production="mandatory",
                development="advisory")
def no_undeclared_exposure(spec: StackConfig, plan: Plan) -> Iterator[Problem]:
    for entry in path_report(spec, plan).exposures:
        yield Problem.at(entry.origin, f"undeclared exposure: {entry.describe()}")


@book.plan_rule("firewall-rule-precision", "A firewall rule made for one flow admits no more than the network "
                "plugin forces.", "https://learn.microsoft.com/azure/aks/azure-cni-overlay",
                production="advisory", development="advisory")
def firewall_rule_precision(spec: StackConfig, plan: Plan) -> Iterator[Problem]:
    for origin, message in path_report(spec, plan).imprecise:
        yield Problem.at(origin, message)


RULES: tuple[Rule, ...] = tuple(book.rules)
