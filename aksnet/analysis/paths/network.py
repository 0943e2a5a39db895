"""The network model: a checked stack and its plan as the path model walks them (`network_of`).
Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aksnet.analysis.intent import intent_of
from aksnet.analysis.paths.firewall import FirewallContext, FirewallRule, firewall_rules
from aksnet.analysis.paths.packet import FIREWALL_PUBLIC_ADDRESS, AddressBook, IPv4, Net
from aksnet.analysis.paths.routes import Route, system_routes
from aksnet.analysis.reachability import Reachability
from aksnet.plan.netpol import IngressController
from aksnet.plan.outbound import AKS_FQDN_TAG, AKS_TAG_FQDNS, registry_endpoints
from aksnet.plan.routing import PEERING
from aksnet.plan.security_rules import Rule as NsgRule
from aksnet.vocabulary import NO_NSG_SUBNETS, REGISTRY_PRIVATE_ZONE


@dataclass(frozen=True)
class Subnet:
    role: str
    vnet: str
    prefix: Net
    azure_name: str
    nsg: tuple[NsgRule, ...] | None
    """None: the subnet takes no NSG."""
    routes: tuple[Route, ...]


@dataclass(frozen=True)
class App:
    key: str
    """namespace/name"""
    service_type: str
    service_ports: tuple[tuple[str, int, int], ...]
    """(protocol, Service port, container port)."""
    static_ip: IPv4 | None
    address: IPv4
    """A pod's address (one stands for all)."""


@dataclass(frozen=True)
class Place:
    """Where a path starts or ends."""

    kind: str
    """app, node, internet, onprem, address, apiserver."""
    label: str
    address: IPv4 | None
    subnet: Subnet | None = None
    app: App | None = None
    fqdn: str | None = None
    tags: frozenset[str] = frozenset()
    vnet: str | None = None
    """The VNet of an address outside every subnet (a VNet-wide range)."""


@dataclass(frozen=True)
class Network:
    """A checked stack's network, as the path model walks it (`network_of`)."""

    subnets: dict[str, Subnet]
    vnet_spaces: dict[str, tuple[Net, ...]]
    on_premises: tuple[Net, ...]
    pod_cidr: Net | None
    node_subnet: str
    """The subnet whose addresses the firewall sees pods come from (`workload_sources`)."""
    apps: dict[str, App]
    ingress_routes: list[tuple[str, str, str, int, int]]
    """(ingress name, host, app key, Service port, listener port)."""
    ingress_controller: str
    app_gateway: Any
    nginx: Any
    firewall_rules: list[FirewallRule]
    firewall_context: FirewallContext | None
    firewall_address: IPv4 | None
    private_api: bool
    api_zone: str | None
    api_address: IPv4 | None
    authorized_ranges: tuple[Net, ...]
    reach: Reachability | None
    controller: IngressController | None
    hub: bool
    location: str
    private_names: Mapping[str, tuple[str, IPv4]] = field(default_factory=dict)
    """A private endpoint's names: name -> (its private zone, the endpoint's address)."""

    def subnet_of(self, address: IPv4) -> Subnet | None:
        return next((s for s in self.subnets.values() if address in s.prefix), None)

    def vnet_of(self, address: IPv4) -> str | None:
        return next((v for v, spaces in self.vnet_spaces.items() if any(address in n for n in spaces)), None)

    def book(self) -> AddressBook:
        return AddressBook(tuple(n for spaces in self.vnet_spaces.values() for n in spaces) + self.on_premises)


def network_of(spec: Any, plan: Any) -> Network:
    """The path model's view of a checked stack and its plan (`aksnet.pipeline.load_stack`)."""
    net, cluster = spec.network, spec.cluster
    spaces = {vnet.role: tuple(vnet.address_space) for vnet in net.vnets}
    peered = net.hub is not None
    firewall_subnet = net.subnet("AzureFirewallSubnet")
    firewall_address = firewall_subnet.network_address + 4 if firewall_subnet is not None and \
        spec.egress.firewall is not None else None
    user: dict[str, list[Route]] = {}
    for role in plan.route_table_subnets:
        routes = user.setdefault(role, [])
        if plan.default_route_next_hop is not None:
            hop = firewall_address if plan.default_route_next_hop == "firewall" else IPv4(plan.default_route_next_hop)
            routes.append(Route(Net("0.0.0.0/0"), "VirtualAppliance", "user", "default", hop))
    pod_cidr = cluster.pod_cidr if cluster.uses_pod_cidr else None
    # Who reaches the pod CIDR: with kubenet, the subnets carrying the route table AKS writes a route
    # per node into; with Overlay, the nodes, and the gateway's subnet when AGIC extends the overlay
    # to it (https://aka.ms/agic/overlay). Nothing else reaches an Overlay pod's address.
    if cluster.network_plugin == "kubenet":
        pod_routed: tuple[str, ...] = tuple(plan.route_table_subnets)
    else:
        # AGC, too, extends the overlay to its subnet: https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking
        pod_routed = ("nodes", "appgw") if spec.ingress.controller == "appgw" else \
            ("nodes", "agc") if spec.ingress.controller == "agc" else ("nodes",)
    # On-premises arrives through a gateway of the hub (or of the VNet, without a hub), which adds a route
    # for each on-premises range, next hop Virtual network gateway, to the subnets of its VNet
    # (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#optional-default-routes);
    # a spoke learns them only through gateway transit (https://learn.microsoft.com/azure/virtual-network/
    # virtual-network-peering-overview#gateways-and-on-premises-connectivity), and a subnet whose route table
    # disables gateway route propagation, as the cluster's does, never (udr-overview#border-gateway-protocol).
    gateway_vnets = {"hub"} if peered else {"spoke"}
    if peered and PEERING.allow_gateway_transit and PEERING.use_remote_gateways:
        gateway_vnets.add("spoke")
    gateway = [Route(n, "VirtualNetworkGateway", "gateway", "on-premises") for n in net.on_premises]
    subnets: dict[str, Subnet] = {}
    for vnet in net.vnets:
        for role, prefix in vnet.subnets.items():
            routes = system_routes(vnet.role, spaces, peered) + user.get(role, [])
            if vnet.role in gateway_vnets and not (vnet.role == "spoke" and role in plan.route_table_subnets):
                routes += gateway
            if pod_cidr is not None and vnet.role == "spoke" and role in pod_routed:
                routes.append(Route(pod_cidr, "Cluster", "aks", "pod-cidr"))
            nsg = None if role in NO_NSG_SUBNETS else tuple(plan.nsg_rules.get(role, ()))
            subnets[role] = Subnet(role, vnet.role, prefix, plan.subnet_names.get(role, role), nsg, tuple(routes))
    node_subnet = "pods" if not cluster.uses_pod_cidr and "pods" in net.spoke.subnets else "nodes"
    apps: dict[str, App] = {}
    for index, app in enumerate(spec.kubernetes.workloads.apps):
        base = pod_cidr if pod_cidr is not None else net.spoke.subnets[node_subnet]
        apps[f"{app.namespace}/{app.name}"] = App(
            f"{app.namespace}/{app.name}", app.service_type,
            tuple((p.protocol, p.port, p.container_port) for p in app.ports), app.static_ip,
            base.network_address + 10 + index)
    ingress_routes = []
    for route in spec.kubernetes.workloads.ingresses:
        # With TLS, port 80 only redirects to 443 (the gateway answers it; no backend sees it).
        listeners = (443,) if route.tls_secret else (80,)
        for entry in route.paths:
            for listener in listeners:
                ingress_routes.append((route.name, route.host, f"{route.namespace}/{entry.app}", entry.port, listener))
    context = None
    rules: list[FirewallRule] = []
    if plan.firewall is not None:
        tag_fqdns = {AKS_FQDN_TAG: (*AKS_TAG_FQDNS, f"*.hcp.{spec.environment.location}.azmk8s.io")}
        context = FirewallContext(plan.firewall.ip_groups, FIREWALL_PUBLIC_ADDRESS, plan.firewall.dns_proxy, tag_fqdns)
        rules = firewall_rules(plan.firewall.groups)
    nodes = net.spoke.subnets["nodes"]
    api_address = None
    if cluster.private:
        # The API server's private endpoint takes an address of the node subnet, or of the API
        # server subnet with VNet integration.
        api_subnet = net.spoke.subnets.get("apiserver") if cluster.api_server_vnet_integration else None
        api_address = (api_subnet or nodes).network_address + 4
    intent = intent_of(spec, plan)  # the policies evaluated once, for the intent rule and the paths
    # Without a policy engine the cluster accepts NetworkPolicies and ignores them: the layer says nothing
    # (https://kubernetes.io/docs/concepts/services-networking/network-policies/#prerequisites). A cluster
    # that brings its own CNI (plugin none) leaves enforcement to that CNI, which the model takes as enforcing.
    enforced = cluster.network_policy != "none" or cluster.network_plugin == "none"
    reach = intent.reachability if intent is not None and enforced else None
    return Network(
        subnets=subnets, vnet_spaces=dict(spaces), on_premises=tuple(net.on_premises), pod_cidr=pod_cidr,
        node_subnet=node_subnet, apps=apps, ingress_routes=ingress_routes, ingress_controller=spec.ingress.controller,
        app_gateway=spec.ingress.app_gateway, nginx=spec.ingress.nginx, firewall_rules=rules,
        firewall_context=context, firewall_address=firewall_address, private_api=cluster.private,
        api_zone=plan.api_server_zone, api_address=api_address, authorized_ranges=tuple(cluster.authorized_ip_ranges),
        reach=reach, controller=plan.ingress_controller, hub=peered, location=spec.environment.location,
        private_names=_private_names(spec))


def _private_names(spec: Any) -> dict[str, tuple[str, IPv4]]:
    """The platform registry's names, answered by the `privatelink.azurecr.io` zone with its private
    endpoint's addresses (the first ones of the endpoints subnet: one for each name)."""
    if spec.registry is None:
        return {}
    subnet = spec.network.spoke.subnets["endpoints"]
    return {name: (REGISTRY_PRIVATE_ZONE, subnet.network_address + 4 + index)
            for index, name in enumerate(registry_endpoints(spec.registry, spec.environment.location))}
