"""Refusals of a spoke of a landing zone: what a spoke cannot build yet on a hub of another stack.
Pure, no Pulumi.

The cross-stack checks (registry overlaps, priority ranges, peering pairs, DNS links, cross-spoke
flows) need the other stacks; they run in the program (`program/landing_zone.py`) and in the
landing zone's preview (`tools/landing_zone.py`). These need only the spoke's own file.
"""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.rule import Rule, RuleBook

book = RuleBook()
PRIVATE_CLUSTER_DNS = "https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone"
FIREWALL_DNAT = "https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat"


@book.refusal("spoke-api-zone-is-system", "A spoke's private API server keeps its zone to AKS (system) or none: "
              "a zone of the hub's is not built for spokes yet.", PRIVATE_CLUSTER_DNS)
def spoke_api_zone_is_system(spec: StackConfig) -> Iterator[Problem]:
    if spec.landing_zone.role == "spoke" and spec.cluster.private and spec.cluster.private_dns_zone == "hub":
        yield Problem.at("cluster.privateDnsZone", "hub: a spoke cannot yet hand its cluster the hub's zone "
                         "(AKS's identity would need rights on it in the hub's group); use system or none")


@book.refusal("spoke-publishes-nothing-on-the-hub", "A spoke declares no DNAT rules: they would publish on the "
              "hub firewall's public addresses, which the hub's contract does not carry.", FIREWALL_DNAT)
def spoke_publishes_nothing_on_the_hub(spec: StackConfig) -> Iterator[Problem]:
    fw = spec.egress.firewall
    if spec.landing_zone.role == "spoke" and fw is not None and fw.dnat_rules:
        yield Problem.at("egress.firewall.dnatRules", "a spoke cannot publish through the hub's firewall yet; "
                         "publish through an ingress of the spoke, or let the hub's stack hold the DNAT rule")


RULES: tuple[Rule, ...] = tuple(book.rules)
