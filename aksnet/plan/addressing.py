"""The address plan: every range of the stack, what it is for, and whether it fits.

Pure functions, no Pulumi. `plan_addresses(spec)` returns the table the offline preview shows
(range, role, size, usable addresses, needed, headroom) and one `Problem` per broken rule.

Rules and their sources:
- Azure reserves five addresses per subnet; subnets are /29 or larger:
  https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq
- Ranges a VNet cannot use: same page ("What address ranges can I use in my VNets?").
- Ranges AKS forbids for the service, pod and cluster VNet ranges:
  https://learn.microsoft.com/azure/aks/configure-kubenet (prerequisites),
  https://learn.microsoft.com/azure/aks/concepts-network-legacy-cni
- Service CIDR, DNS service IP: https://learn.microsoft.com/azure/aks/configure-kubenet
- Flat Azure CNI capacity `(nodes + surge) * (maxPods + 1)`, 50 nodes + 1 surge at 30 pods
  needing 1,581 addresses: https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning
- kubenet /24 per node and the 400-route limit: https://learn.microsoft.com/azure/aks/configure-kubenet
- CNI Overlay /24 per node, private pod CIDR: https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay
- Fixed subnets: AzureFirewallSubnet and AzureFirewallManagementSubnet /26
  (https://learn.microsoft.com/azure/firewall/firewall-faq), AzureBastionSubnet /26
  (https://learn.microsoft.com/azure/bastion/configuration-settings), GatewaySubnet /27
  (https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings),
  API server VNet integration /28 (https://learn.microsoft.com/azure/aks/api-server-vnet-integration).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field
from typing import Any

from aksnet.config.problems import Problem
from aksnet.config.schema import Network4
from aksnet.config.stack import ClusterSpec, NetworkSpec, StackConfig
from aksnet.vocabulary import (
    AZURE_RESERVED_FIRST,
    AZURE_RESERVED_LAST,
    AZURE_RESERVED_PER_SUBNET,
    NS,
    PRIVATE_RANGES,
    SHARED_ADDRESS_SPACE,
)

SMALLEST_SUBNET_PREFIX = 29
KUBENET_MAX_ROUTES = 400
NODE_POD_BLOCK_PREFIX = 24  # kubenet and Overlay give each node a /24 of the pod CIDR

VNET_FORBIDDEN = tuple(ipaddress.IPv4Network(n) for n in (
    "224.0.0.0/4", "255.255.255.255/32", "127.0.0.0/8", "169.254.0.0/16", "168.63.129.16/32"))
AKS_FORBIDDEN = tuple(ipaddress.IPv4Network(n) for n in (
    "169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"))
OVERLAY_POD_RANGES = tuple(ipaddress.IPv4Network(n) for n in (*PRIVATE_RANGES, SHARED_ADDRESS_SPACE))

MIN_PREFIX = {
    "AzureFirewallSubnet": 26,
    "AzureFirewallManagementSubnet": 26,
    "AzureBastionSubnet": 26,
    "GatewaySubnet": 27,
    "apiserver": 28,
    "dns": 28,  # https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions
}

ROLE_TEXT = {
    "nodes": "cluster nodes",
    "pods": "pod subnet (dynamic pod IPs)",
    "appgw": "application gateway",
    "agc": "Application Gateway for Containers",
    "ilb": "internal load balancers",
    "apiserver": "API server VNet integration",
    "endpoints": "private endpoints",
    "AzureFirewallSubnet": "Azure Firewall",
    "AzureFirewallManagementSubnet": "Azure Firewall management",
    "AzureBastionSubnet": "Azure Bastion",
    "GatewaySubnet": "VPN/ExpressRoute gateway",
    "dns": "DNS Private Resolver inbound endpoint",
}


@dataclass(frozen=True)
class PlanRow:
    cidr: str
    role: str
    size: int
    usable: int
    needed: int | None = None
    """Addresses the design needs at its largest (None where nothing is counted)."""

    @property
    def headroom(self) -> int | None:
        return None if self.needed is None else self.usable - self.needed

    def as_dict(self) -> dict[str, Any]:
        return {"cidr": self.cidr, "role": self.role, "size": self.size, "usable": self.usable,
                "needed": self.needed, "headroom": self.headroom}


@dataclass
class AddressPlan:
    rows: list[PlanRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add_problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))


# Arithmetic -------------------------------------------------------------------------------

def subnet_usable(network: Network4) -> int:
    return max(network.num_addresses - AZURE_RESERVED_PER_SUBNET, 0)


def smallest_prefix_for(needed: int) -> int:
    """The longest prefix (smallest subnet) whose usable addresses hold `needed`."""
    for prefix in range(SMALLEST_SUBNET_PREFIX, 7, -1):
        if 2 ** (32 - prefix) - AZURE_RESERVED_PER_SUBNET >= needed:
            return prefix
    return 8


def surge_nodes(max_surge: str, most_nodes: int) -> int:
    """Extra nodes an upgrade adds to one pool: a count, or a percentage rounded up."""
    if max_surge.endswith("%"):
        return math.ceil(most_nodes * int(max_surge[:-1]) / 100)
    return int(max_surge)


def nodes_at_most(cluster: ClusterSpec) -> int:
    """Nodes of every pool at their maximum, plus the upgrade surge of each."""
    return sum(p.most_nodes + surge_nodes(cluster.max_surge, p.most_nodes) for p in cluster.node_pools)


def cni_addresses_needed(cluster: ClusterSpec, pods_in_node_subnet: bool) -> tuple[int, int]:
    """Addresses the node subnet and the pod subnet need under Azure CNI without Overlay.

    Pods in the node subnet (flat CNI): each node takes one address for itself and one per pod
    it may run. With a pod subnet, the node subnet holds the nodes and the pod subnet the pods.
    """
    nodes = pods = 0
    for pool in cluster.node_pools:
        count = pool.most_nodes + surge_nodes(cluster.max_surge, pool.most_nodes)
        nodes += count
        pods += count * pool.max_pods
    return (nodes + pods, 0) if pods_in_node_subnet else (nodes, pods)


def internal_frontends(spec: StackConfig) -> int:
    """Internal load balancer frontends that take an address in the `ilb` subnet."""
    nginx = spec.ingress.nginx
    controller = 1 if spec.ingress.controller == "nginx" and nginx is not None and nginx.visibility == "internal" else 0
    return controller + sum(1 for a in spec.kubernetes.workloads.apps if a.service_type == "InternalLoadBalancer")


# The plan ---------------------------------------------------------------------------------

def plan_addresses(spec: StackConfig) -> AddressPlan:
    plan = AddressPlan()
    _vnets(spec.network, plan)
    needs = _subnet_needs(spec, plan)
    _subnets(spec.network, needs, plan)
    _cluster_ranges(spec, plan)
    _addresses_in_subnets(spec, plan)
    return plan


def _path(*parts: str) -> str:
    return f"{NS}:" + ".".join(parts)


def _overlap_text(a: Network4, b: Network4) -> str:
    return f"{a} overlaps {b}"


def _vnets(network: NetworkSpec, plan: AddressPlan) -> None:
    spaces: list[tuple[str, str, Network4]] = []
    for vnet in network.vnets:
        total_subnets = sum(s.num_addresses for s in vnet.subnets.values())
        for index, space in enumerate(vnet.address_space):
            path = _path("network", vnet.role, f"addressSpace[{index}]")
            plan.rows.append(PlanRow(str(space), f"{vnet.role} VNet", space.num_addresses,
                                     space.num_addresses,
                                     total_subnets if len(vnet.address_space) == 1 else None))
            for forbidden in VNET_FORBIDDEN:
                if space.overlaps(forbidden):
                    plan.add_problem(path, f"{space} overlaps {forbidden}, which Azure does not allow "
                                     "in a VNet; use an RFC 1918 range such as 10.0.0.0/8")
            if vnet.role == "spoke":
                for forbidden in AKS_FORBIDDEN:
                    if space.overlaps(forbidden) and forbidden not in VNET_FORBIDDEN:
                        plan.add_problem(path, f"{space} overlaps {forbidden}, which AKS reserves; "
                                         "choose a range outside it")
            for other_path, other_role, other in spaces:
                if space.overlaps(other):
                    where = "the other range of this VNet" if other_role == vnet.role else f"the {other_role} VNet"
                    plan.add_problem(path, f"{_overlap_text(space, other)} ({where}, {other_path}); "
                                     "peered and sibling ranges must not overlap")
            spaces.append((path, vnet.role, space))
            for index_on_prem, on_prem in enumerate(network.on_premises):
                if space.overlaps(on_prem):
                    where = _path("network", f"onPremises[{index_on_prem}]")
                    plan.add_problem(path, f"{_overlap_text(space, on_prem)}, an on-premises range ({where}); "
                                     "routed ranges must not overlap")


def _subnet_needs(spec: StackConfig, plan: AddressPlan) -> dict[str, tuple[int, str]]:
    """Addresses each subnet role needs at the design's largest, with what counts them."""
    cluster = spec.cluster
    needs: dict[str, tuple[int, str]] = {}
    has_pod_subnet = "pods" in spec.network.spoke.subnets
    if cluster.network_plugin == "azure" and cluster.network_plugin_mode != "overlay":
        node_need, pod_need = cni_addresses_needed(cluster, pods_in_node_subnet=not has_pod_subnet)
        if has_pod_subnet:
            needs["nodes"] = (node_need, "nodes at their maximum plus surge")
            needs["pods"] = (pod_need, "(nodes + surge) x maxPods")
        else:
            needs["nodes"] = (node_need, "(nodes + surge) x (maxPods + 1), flat Azure CNI")
    else:
        needs["nodes"] = (nodes_at_most(cluster), "nodes at their maximum plus surge")
    frontends = internal_frontends(spec)
    if frontends:
        needs["ilb"] = (frontends, "internal load balancer frontends")
    appgw = spec.ingress.app_gateway
    if spec.ingress.controller == "appgw" and appgw is not None:
        needs["appgw"] = (appgw.max_capacity + (1 if appgw.private_ip else 0),
                          "gateway instances at maximum capacity plus a private frontend")
    if spec.egress.firewall is not None:
        needs["AzureFirewallSubnet"] = (1, "firewall private address")
    # A registry's private endpoint takes two addresses (its login server and its regional data endpoint,
    # https://learn.microsoft.com/azure/container-registry/container-registry-private-link); a key
    # vault's takes one (https://learn.microsoft.com/azure/key-vault/general/private-link-service).
    endpoints = [(2, "the registry's login server and regional data endpoint")] if spec.registry is not None else []
    endpoints += [(1, "the key vault")] if spec.tls is not None else []
    if endpoints:
        needs["endpoints"] = (sum(n for n, _ in endpoints),
                              "private endpoints: " + " and ".join(what for _, what in endpoints))
    return needs


def _subnets(network: NetworkSpec, needs: dict[str, tuple[int, str]], plan: AddressPlan) -> None:
    for vnet in network.vnets:
        seen: list[tuple[str, Network4]] = []
        for role, prefix in vnet.subnets.items():
            path = _path("network", vnet.role, "subnets", role)
            needed = needs.get(role)
            plan.rows.append(PlanRow(str(prefix), f"subnet {role} ({ROLE_TEXT.get(role, role)})",
                                     prefix.num_addresses, subnet_usable(prefix),
                                     needed[0] if needed else None))
            if not any(prefix.subnet_of(space) for space in vnet.address_space):
                spaces = ", ".join(str(s) for s in vnet.address_space) or "none"
                plan.add_problem(path, f"{prefix} is outside the {vnet.role} VNet's address space ({spaces}); "
                                 "choose a prefix inside it")
            if prefix.prefixlen > SMALLEST_SUBNET_PREFIX:
                plan.add_problem(path, f"{prefix} is smaller than /{SMALLEST_SUBNET_PREFIX}, the smallest "
                                 "subnet Azure allows")
            minimum = MIN_PREFIX.get(role)
            if minimum is not None and prefix.prefixlen > minimum:
                plan.add_problem(path, f"{prefix} is a /{prefix.prefixlen}; {role} must be a /{minimum} or larger")
            for other_role, other in seen:
                if prefix.overlaps(other):
                    plan.add_problem(path, f"{_overlap_text(prefix, other)} (subnet {other_role}); "
                                     "subnets of one VNet must not overlap")
            seen.append((role, prefix))
            if needed and needed[0] > subnet_usable(prefix):
                fits = smallest_prefix_for(needed[0])
                plan.add_problem(path, f"{prefix} has {subnet_usable(prefix)} usable addresses but "
                                 f"{needed[0]:,} are needed ({needed[1]}); use a /{fits} or larger")


def _routed_ranges(network: NetworkSpec, on_premises: bool = True) -> list[tuple[str, Network4]]:
    """Every range routed to the cluster: the VNets and, through the hub, on-premises."""
    out = []
    for vnet in network.vnets:
        for index, space in enumerate(vnet.address_space):
            out.append((f"the {vnet.role} VNet ({_path('network', vnet.role, f'addressSpace[{index}]')})", space))
    if on_premises:
        out += [(f"an on-premises range ({_path('network', f'onPremises[{i}]')})", r)
                for i, r in enumerate(network.on_premises)]
    return out


SERVICE_CIDR_CANDIDATES = tuple(ipaddress.IPv4Network(n) for n in (
    "172.16.0.0/16", "10.0.0.0/16", "192.168.0.0/16", "172.20.0.0/16", "10.100.0.0/16", "100.64.0.0/16"))


def _free_service_cidr(routed: list[tuple[str, Network4]], pod: Network4 | None) -> Network4 | None:
    """A /16 that overlaps nothing routed, no AKS-reserved range and not the pod CIDR."""
    taken = [network for _, network in routed] + list(AKS_FORBIDDEN) + ([pod] if pod is not None else [])
    return next((c for c in SERVICE_CIDR_CANDIDATES if not any(c.overlaps(t) for t in taken)), None)


def _cluster_ranges(spec: StackConfig, plan: AddressPlan) -> None:
    cluster = spec.cluster
    routed = _routed_ranges(spec.network)
    service = cluster.service_cidr
    service_path = _path("cluster", "serviceCidr")
    plan.rows.append(PlanRow(str(service), "Kubernetes services", service.num_addresses,
                             max(service.num_addresses - 2, 0)))
    before = len(plan.problems)
    # One suggestion for the whole run, free of everything routed, so the lines agree with each other.
    free = _free_service_cidr(routed, cluster.pod_cidr)
    instead = f", e.g. {free}" if free is not None else ""
    if service.prefixlen <= 12:
        plan.add_problem(service_path, f"{service} is a /{service.prefixlen}; AKS needs a service CIDR "
                         f"smaller than /12{instead}")
    for what, network in routed:
        if service.overlaps(network):
            plan.add_problem(service_path, f"{_overlap_text(service, network)}, {what}; the service CIDR "
                             f"must lie outside every routed range{instead}")
    for forbidden in AKS_FORBIDDEN:
        if service.overlaps(forbidden):
            plan.add_problem(service_path, f"{service} overlaps {forbidden}, which AKS reserves{instead}")
    # With the service CIDR refused, a DNS address is suggested inside the range suggested for it.
    target = free if len(plan.problems) > before and free is not None else service

    dns = cluster.dns_service_ip
    dns_path = _path("cluster", "dnsServiceIp")
    if dns not in service:
        plan.add_problem(dns_path, f"{dns} is outside the service CIDR {service}; use an address inside "
                         f"{'it' if target == service else target} such as {target.network_address + 10}")
    elif dns in (service.network_address, service.network_address + 1, service.broadcast_address):
        which = {service.network_address: "the service CIDR's network address",
                 service.network_address + 1: "the service CIDR's first address, taken by the kubernetes service",
                 service.broadcast_address: "the service CIDR's last address"}[dns]
        plan.add_problem(dns_path, f"{dns} is {which}; use another address such as "
                         f"{service.network_address + 10}")

    pod = cluster.pod_cidr
    pod_path = _path("cluster", "podCidr")
    if pod is None:
        return
    nodes = nodes_at_most(cluster)
    blocks = 2 ** max(NODE_POD_BLOCK_PREFIX - pod.prefixlen, 0) if pod.prefixlen <= NODE_POD_BLOCK_PREFIX else 0
    plan.rows.append(PlanRow(str(pod), "pods (a /24 per node)", pod.num_addresses, blocks * 256, nodes * 256))
    if blocks < nodes:
        needed_prefix = NODE_POD_BLOCK_PREFIX - max(math.ceil(math.log2(max(nodes, 1))), 0)
        plan.add_problem(pod_path, f"{pod} holds {blocks} node blocks of /24 but {nodes} nodes "
                         f"(maximum plus surge) need one each; use a /{needed_prefix} or larger")
    for what, network in routed:
        if pod.overlaps(network):
            plan.add_problem(pod_path, f"{_overlap_text(pod, network)}, {what}; pod addresses must not "
                             "overlap anything routed to the cluster")
    if pod.overlaps(service):
        plan.add_problem(pod_path, f"{_overlap_text(pod, service)}, the service CIDR; keep them apart")
    for forbidden in AKS_FORBIDDEN:
        if pod.overlaps(forbidden):
            plan.add_problem(pod_path, f"{pod} overlaps {forbidden}, which AKS reserves")
    if cluster.network_plugin_mode == "overlay" and not any(pod.subnet_of(r) for r in OVERLAY_POD_RANGES):
        plan.add_problem(pod_path, f"{pod} is not a private range; CNI Overlay pod CIDRs should be "
                         "RFC 1918 or RFC 6598, e.g. 192.168.0.0/16 or 100.64.0.0/16")
    if cluster.network_plugin == "kubenet" and nodes > KUBENET_MAX_ROUTES:
        plan.add_problem(_path("cluster", "nodePools"), f"kubenet can reach {nodes} nodes (maximum plus "
                         f"surge) but its route table holds at most {KUBENET_MAX_ROUTES} routes; lower the "
                         "pools' maximums or use Azure CNI Overlay")


def _inside(address: ipaddress.IPv4Address, subnet: Network4) -> bool:
    """An address a resource may take: inside the subnet and not one of Azure's five."""
    if address not in subnet:
        return False
    offset = int(address) - int(subnet.network_address)
    return AZURE_RESERVED_FIRST <= offset < subnet.num_addresses - AZURE_RESERVED_LAST


def _addresses_in_subnets(spec: StackConfig, plan: AddressPlan) -> None:
    network = spec.network
    checks: list[tuple[str, ipaddress.IPv4Address | None, str]] = []
    appgw = spec.ingress.app_gateway
    if spec.ingress.controller == "appgw" and appgw is not None:
        checks.append((_path("ingress", "appGateway", "privateIp"), appgw.private_ip, "appgw"))
    nginx = spec.ingress.nginx
    if spec.ingress.controller == "nginx" and nginx is not None and nginx.visibility == "internal":
        checks.append((_path("ingress", "nginx", "staticIp"), nginx.static_ip, "ilb"))
    for index, app in enumerate(spec.kubernetes.workloads.apps):
        if app.static_ip is not None:
            checks.append((_path("kubernetes", f"apps[{index}]", "staticIp"), app.static_ip, "ilb"))
    for path, address, role in checks:
        subnet = network.subnet(role)
        if address is None or subnet is None:
            continue
        if not _inside(address, subnet):
            first = subnet.network_address + AZURE_RESERVED_FIRST
            last = subnet.broadcast_address - AZURE_RESERVED_LAST
            usable = f"use one from {first} to {last}" if first <= last else \
                f"the subnet has no usable address (Azure keeps {AZURE_RESERVED_PER_SUBNET}); make it a /29 or larger"
            plan.add_problem(path, f"{address} is not a usable address of the {role} subnet {subnet}; {usable}")
    hop = spec.cluster.egress_next_hop_ip
    if hop is not None and not any(hop in space for _, space in _routed_ranges(network, on_premises=False)):
        plan.add_problem(_path("cluster", "egressNextHopIp"), f"{hop} is not inside any VNet of the stack; "
                         "the next hop must be a virtual appliance's private address")
    nodes = network.subnet("nodes")
    if hop is not None and nodes is not None and hop in nodes:
        plan.add_problem(_path("cluster", "egressNextHopIp"), f"{hop} is inside the node subnet {nodes}; "
                         "a default route through the cluster's own subnet loops")
    if spec.egress.firewall is not None:
        for index, rule in enumerate(spec.egress.firewall.dnat_rules):
            target = rule.translated_address
            vnets = _routed_ranges(network, on_premises=False)
            if target is not None and not any(target in space for _, space in vnets):
                plan.add_problem(_path("egress", "firewall", f"dnatRules[{index}]", "translatedAddress"),
                                 f"{target} is not inside any VNet of the stack")

