"""The plan: every topology decision a checked stack implies, frozen and JSON-serialisable. Pure, no Pulumi.

`__main__.py` builds components from its slices, the offline preview and the diagrams read it;
nobody re-derives a decision from resource names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from aksnet.config.regions import REGIONS
from aksnet.config.stack import StackConfig
from aksnet.plan.addressing import AddressPlan, PlanRow
from aksnet.plan.cluster_profile import network_profile
from aksnet.plan.egress_rules import FirewallPolicyPlan, firewall_policy, gitops_fqdns
from aksnet.plan.manifests import ingress_controller, kubernetes_objects
from aksnet.plan.naming import api_server_zone_name, subnet_name
from aksnet.plan.netpol import IngressController
from aksnet.plan.routing import (
    default_route_next_hop,
    firewall_sources,
    nat_gateway_subnets,
    needs_route_table,
    route_table_subnets,
)
from aksnet.plan.security_rules import Rule as NsgRule
from aksnet.plan.security_rules import subnet_rules
from aksnet.vocabulary import AZURE_RESERVED_FIRST


@dataclass(frozen=True)
class Plan:
    resource_groups: tuple[str, ...]
    """Roles of the resource groups: `hub` and `spoke`, or `spoke` alone."""
    edge: str
    """The VNet role that holds the firewall and Bastion subnets."""
    subnet_names: Mapping[str, str]
    """Subnet role (or fixed name) to its Azure name, over both VNets."""
    nsg_rules: Mapping[str, tuple[NsgRule, ...]]
    """Subnet role to its NSG rules beyond Azure's defaults."""
    route_table: bool
    route_table_subnets: tuple[str, ...]
    default_route_next_hop: str | None
    """`firewall`, an appliance address, or None when egress is not routed."""
    nat_gateway_subnets: tuple[str, ...]
    firewall_sources: tuple[str, ...]
    """The ranges the firewall sees traffic from (its IP group)."""
    gitops_fqdns: tuple[str, ...]
    """What the firewall lets the Flux extension reach, when the layer is delivered by GitOps."""
    firewall: FirewallPolicyPlan | None
    """The firewall policy's rule groups, or None without a firewall."""
    dns_through_firewall: bool
    """The spoke resolves through the firewall's DNS proxy, so that FQDN network rules and clients see
    the same addresses (https://learn.microsoft.com/azure/firewall/dns-details); only with a hub,
    where the firewall exists before the spoke that points at it."""
    dns_resolver_address: str | None
    """The resolver's inbound endpoint, static at the first usable address of its subnet: what
    on-premises conditional forwarders point at. None without a resolver."""
    api_server_zone: str | None
    """The private DNS zone of the API server the stack brings (in the hub), or None."""
    network_profile: Mapping[str, Any]
    address_plan: tuple[PlanRow, ...]
    ingress_controller: IngressController | None
    manifests: tuple[Mapping[str, Any], ...]
    """Every Kubernetes object of the layer, as manifests."""
    gateway_certificates: Mapping[str, str] = field(default_factory=dict)
    """Certificate name to the versionless Key Vault secret id the application gateway reads it from."""
    registry_zone_redundant: bool = False
    """The platform registry spreads over the region's zones: in production, where the region has them."""

    def as_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["address_plan"] = [row.as_dict() for row in self.address_plan]
        document["ingress_controller"] = None if self.ingress_controller is None else {
            "namespace": self.ingress_controller.namespace,
            "cidr": None if self.ingress_controller.cidr is None else str(self.ingress_controller.cidr)}
        return document


def make_plan(spec: StackConfig, addresses: AddressPlan) -> Plan:
    """The plan of a checked stack (`aksnet.rules.registry.check_stack` gives `addresses`)."""
    network, cluster = spec.network, spec.cluster
    private_zone = cluster.private and cluster.private_dns_zone == "hub"
    gitops = gitops_fqdns(spec.environment.location, spec.kubernetes.gitops.url) \
        if spec.kubernetes.gitops is not None and spec.kubernetes.delivery == "gitops" else ()
    next_hop = default_route_next_hop(spec)
    return Plan(
        resource_groups=("hub", "spoke") if network.hub else ("spoke",),
        edge="hub" if network.hub else "spoke",
        subnet_names={role: subnet_name(role) for vnet in network.vnets for role in vnet.subnets},
        nsg_rules={role: tuple(rules) for role, rules in subnet_rules(spec).items()},
        route_table=needs_route_table(spec),
        route_table_subnets=route_table_subnets(spec),
        default_route_next_hop=next_hop,
        nat_gateway_subnets=nat_gateway_subnets(spec),
        firewall_sources=firewall_sources(spec),
        gitops_fqdns=gitops,
        firewall=firewall_policy(spec, firewall_sources(spec), next_hop == "firewall", gitops),
        dns_resolver_address=str(network.hub.subnets["dns"].network_address + AZURE_RESERVED_FIRST)
        if network.dns_resolver and network.hub is not None and "dns" in network.hub.subnets else None,
        dns_through_firewall=spec.egress.firewall is not None and spec.egress.firewall.dns_proxy
        and network.hub is not None,
        api_server_zone=api_server_zone_name(spec.environment.location, cluster.api_server_vnet_integration)
        if private_zone else None,
        network_profile=network_profile(cluster),
        address_plan=tuple(addresses.rows),
        ingress_controller=ingress_controller(spec),
        manifests=tuple(kubernetes_objects(spec)),
        gateway_certificates={c.name: spec.tls.secret_id(c.name) for c in spec.tls.certificates}
        if spec.tls is not None else {},
        registry_zone_redundant=spec.registry is not None and spec.environment.production
        and REGIONS.get(spec.environment.location, False),
    )


Answer = TypeVar("Answer")


def per_plan(analysis: Callable[[Any, Any], Answer]) -> Callable[[Any, Any], Answer]:
    """`analysis(spec, plan)`, kept for the last plan asked: the rules, the path model and the
    preview ask the same analysis of one plan several times."""
    kept: list[tuple[Any, Answer]] = []

    @functools.wraps(analysis)
    def of_plan(spec: Any, plan: Any) -> Answer:
        if kept and kept[0][0] is plan:
            return kept[0][1]
        answer = analysis(spec, plan)
        kept[:] = [(plan, answer)]
        return answer
    return of_plan
