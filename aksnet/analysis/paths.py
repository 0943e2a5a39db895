"""Will this packet arrive? One path model over every layer that decides it. Pure, no Pulumi.

A packet (source, destination address or name, protocol, port) is walked through the layers the
plan builds, each deciding in turn, and its reply is walked back where a layer could send it
elsewhere (asymmetric routing):

- `networkPolicy`: the stack's NetworkPolicies, with the reachability engine;
- `nsg`: the subnet's security rules by priority, Azure's default rules after them
  (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules);
- `route`: the longest prefix over the subnet's effective routes: its route table, the VNet, its
  peerings, Azure's system routes (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview);
- `peering`: whether the peering admits the traffic;
- `firewall`: DNAT, then network, then application rules, each by group priority, collection
  priority and rule order; no match is a denial (https://learn.microsoft.com/azure/firewall/rule-processing);
- `appGateway`: the listeners and backends AGIC derives from the Ingresses;
- `loadBalancer`: the Services' public and internal frontends;
- `dns`: a name resolves through the private zones linked to the source's VNet, else publicly;
- `privateEndpoint`: the private API server.

What the model cannot know offline it assumes, and says so (`ASSUMPTIONS`); the evaluators of
NSGs, routes and firewall rules are plain functions over plain rules, property-tested against
naive ones.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aksnet.analysis.intent import intent_of
from aksnet.analysis.reachability import Reachability, member_text
from aksnet.plan.egress_rules import PUBLIC_ADDRESS
from aksnet.plan.netpol import IngressController
from aksnet.plan.outbound import AKS_FQDN_TAG, AKS_TAG_FQDNS, public_api_server_fqdn, registry_endpoints
from aksnet.plan.routing import PEERING
from aksnet.plan.security_rules import Rule as NsgRule
from aksnet.vocabulary import NO_NSG_SUBNETS, PRIVATE_RANGES, REGISTRY_PRIVATE_ZONE

IPv4 = ipaddress.IPv4Address
Net = ipaddress.IPv4Network
LAYERS = ("networkPolicy", "nsg", "route", "peering", "firewall", "appGateway", "loadBalancer", "dns",
          "privateEndpoint")
INTERNET_ADDRESS = IPv4("198.51.100.10")
"""Where "the internet" stands in a path: an address of TEST-NET-2 (RFC 5737), public and nobody's."""
FIREWALL_PUBLIC_ADDRESS = IPv4("192.0.2.250")
"""Stands for the firewall's first public address (TEST-NET-1, RFC 5737) until Azure assigns it."""
AZURE_PLATFORM = IPv4("168.63.129.16")
"""The AzureLoadBalancer tag's address: Azure's health probes come from it."""
PRIVATE = tuple(Net(r) for r in PRIVATE_RANGES)
ASSUMPTIONS = (
    "Service tags other than VirtualNetwork, Internet and AzureLoadBalancer match only a packet the model "
    "labels with them (the stack does not know their ranges).",
    "Pod-to-pod traffic stays in the cluster's data plane: NetworkPolicies decide it, not NSGs.",
    "Private endpoints ignore the NSG of their subnet (private endpoint network policies are off).",
    "The firewall reads an HTTPS destination's name from its SNI and an HTTP one's from its Host header.",
    "On-premises ranges arrive through a gateway of the hub that the stack does not manage.",
)


# Verdicts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hop:
    layer: str
    resource: str
    rule: str
    action: str
    """`allow`, `deny`, `forward`, `resolve` or `translate`."""


@dataclass(frozen=True)
class Path:
    hops: tuple[Hop, ...]

    @property
    def verdict(self) -> str:
        return "denied" if self.hops and self.hops[-1].action == "deny" else "allowed"

    @property
    def decided_by(self) -> Hop | None:
        """The denying hop, or the last hop that let the packet through."""
        deciding = [h for h in self.hops if h.action in ("allow", "deny")]
        return deciding[-1] if deciding else (self.hops[-1] if self.hops else None)

    def as_dict(self) -> dict[str, Any]:
        decided = self.decided_by
        return {"verdict": self.verdict, "hops": [dataclasses.asdict(h) for h in self.hops],
                "decidedBy": None if decided is None else
                {"layer": decided.layer, "resource": decided.resource, "rule": decided.rule}}


# Ports and addresses ------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def parse_prefix(prefix: str) -> Net:
    """A rule's prefix, parsed once: rules are matched many times over."""
    return Net(prefix, strict=False)


def port_ranges(ports: Iterable[str]) -> tuple[tuple[int, int], ...] | None:
    """An Azure port list (`*`, `443`, `8000-8080`) as ranges; None: every port."""
    out = []
    for entry in ports:
        text = str(entry)
        if text == "*":
            return None
        low, _, high = text.partition("-")
        out.append((int(low), int(high or low)))
    return tuple(out)


def port_matches(ports: Iterable[str], port: int) -> bool:
    ranges = port_ranges(ports)
    return ranges is None or any(low <= port <= high for low, high in ranges)


def protocol_matches(rule_protocol: str, protocol: str) -> bool:
    return rule_protocol in ("*", "Any") or rule_protocol.upper() == protocol.upper()


@dataclass(frozen=True)
class Packet:
    source: IPv4
    destination: IPv4 | None
    protocol: str
    port: int
    fqdn: str | None = None
    source_tags: frozenset[str] = frozenset()
    destination_tags: frozenset[str] = frozenset()
    """Service tags the model knows an address belongs to (`AzureCloud.westeurope`)."""


@dataclass(frozen=True)
class AddressBook:
    """What the service tags mean in this stack."""

    virtual_network: tuple[Net, ...]
    """The VirtualNetwork tag seen from a VNet: its address space, its peers' and on-premises ranges."""

    def matches(self, prefix: str, address: IPv4 | None, tags: frozenset[str]) -> bool:
        if prefix == "*":
            return True
        if prefix in tags:
            return True
        if address is None:
            return False
        if prefix == "VirtualNetwork":
            return any(address in n for n in self.virtual_network)
        if prefix == "Internet":
            return not any(address in n for n in (*self.virtual_network, *PRIVATE)) and address != AZURE_PLATFORM
        if prefix == "AzureLoadBalancer":
            return address == AZURE_PLATFORM
        if prefix[:1].isdigit():
            return address in parse_prefix(prefix)
        return False


# NSG ----------------------------------------------------------------------------------------

DEFAULT_NSG_RULES = (
    NsgRule("AllowVnetInBound", 65000, "Inbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork", ("*",)),
    NsgRule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "*", "AzureLoadBalancer", "*", ("*",)),
    NsgRule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*", "*", ("*",)),
    NsgRule("AllowVnetOutBound", 65000, "Outbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork", ("*",)),
    NsgRule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "*", "Internet", ("*",)),
    NsgRule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*", "*", ("*",)),
)


def nsg_matches(rule: NsgRule, direction: str, packet: Packet, book: AddressBook) -> bool:
    return (rule.direction == direction and protocol_matches(rule.protocol, packet.protocol)
            and port_matches(rule.ports, packet.port)
            and book.matches(rule.source, packet.source, packet.source_tags)
            and book.matches(rule.destination, packet.destination, packet.destination_tags))


def nsg_decide(rules: Sequence[NsgRule], direction: str, packet: Packet, book: AddressBook) -> NsgRule:
    """The rule that decides: the stack's and Azure's default rules, lowest priority number first."""
    ordered = sorted((*rules, *DEFAULT_NSG_RULES), key=lambda r: r.priority)
    return next(r for r in ordered if nsg_matches(r, direction, packet, book))


# Routes -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    prefix: Net
    next_hop: str
    """VnetLocal, VNetPeering, Internet, VirtualAppliance, None, or Cluster (AKS's own routing of the pod CIDR)."""
    origin: str
    """`user` (the route table), `system` or `aks`."""
    name: str
    address: IPv4 | None = None


ORIGIN_RANK = {"user": 2, "aks": 1, "system": 0}
"""On equal prefixes a user route overrides what AKS programs, which overrides Azure's system routes."""


def route_lookup(routes: Sequence[Route], address: IPv4) -> Route:
    """Longest prefix wins; on equal prefixes the higher origin (ORIGIN_RANK), then the first listed."""
    best: Route | None = None
    for route in routes:
        if address not in route.prefix:
            continue
        # A VNet's own space overrides the None route of the private range it lies in.
        if best is None or (route.prefix.prefixlen, ORIGIN_RANK[route.origin], route.next_hop != "None") > \
                (best.prefix.prefixlen, ORIGIN_RANK[best.origin], best.next_hop != "None"):
            best = route
    assert best is not None, "0.0.0.0/0 is always a route"
    return best


# Firewall -----------------------------------------------------------------------------------

KIND_ORDER = {"FirewallPolicyNatRuleCollection": 0}
RULE_KIND = {"NatRule": 0, "NetworkRule": 1, "ApplicationRule": 2}


@dataclass(frozen=True)
class FirewallRule:
    group: str
    group_priority: int
    collection: str
    collection_priority: int
    index: int
    action: str
    """Allow, Deny or DNAT."""
    rule: Mapping[str, Any]

    @property
    def kind(self) -> int:
        return RULE_KIND[self.rule["ruleType"]]

    @property
    def order(self) -> tuple[int, int, int, int]:
        return (self.kind, self.group_priority, self.collection_priority, self.index)

    @property
    def name(self) -> str:
        return f"{self.group}/{self.collection}/{self.rule['name']}"


def firewall_rules(groups: Iterable[Any]) -> list[FirewallRule]:
    """Every rule of a policy's groups (`aksnet.plan.egress_rules.RuleGroup`), in processing order."""
    out = []
    for group in groups:
        for collection in group.collections:
            for index, rule in enumerate(collection["rules"]):
                out.append(FirewallRule(group.name, group.priority, collection["name"], collection["priority"],
                                        index, collection["action"]["type"], rule))
    return sorted(out, key=lambda r: r.order)


def fqdn_matches(pattern: str, name: str) -> bool:
    pattern, name = pattern.lower(), name.lower()
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return name.endswith(pattern[1:])
    return pattern == name


@dataclass(frozen=True)
class FirewallContext:
    ip_groups: Mapping[str, Sequence[str]]
    public_address: IPv4 | None
    dns_proxy: bool
    tag_fqdns: Mapping[str, Sequence[str]]


def _addresses_match(prefixes: Sequence[str], address: IPv4 | None, tags: frozenset[str]) -> bool:
    for prefix in prefixes:
        if prefix == "*" or prefix in tags:
            return True
        if address is not None and prefix[:1].isdigit() and address in parse_prefix(prefix):
            return True
    return False


def firewall_rule_matches(entry: FirewallRule, packet: Packet, context: FirewallContext) -> bool:
    rule = entry.rule
    sources = list(rule.get("sourceAddresses", ()))
    for group in rule.get("sourceIpGroups", ()):
        sources += list(context.ip_groups.get(group, ()))
    if not _addresses_match(sources, packet.source, packet.source_tags):
        return False
    kind = rule["ruleType"]
    if kind == "NatRule":
        public = [str(context.public_address) if a == PUBLIC_ADDRESS and context.public_address else a
                  for a in rule.get("destinationAddresses", ())]
        return (any(protocol_matches(p, packet.protocol) for p in rule.get("ipProtocols", ()))
                and port_matches(rule.get("destinationPorts", ()), packet.port)
                and _addresses_match(public, packet.destination, packet.destination_tags))
    if kind == "NetworkRule":
        if not (any(protocol_matches(p, packet.protocol) for p in rule.get("ipProtocols", ()))
                and port_matches(rule.get("destinationPorts", ()), packet.port)):
            return False
        if _addresses_match(rule.get("destinationAddresses", ()), packet.destination, packet.destination_tags):
            return True
        # FQDNs in network rules are resolved by the firewall's DNS proxy, and only then match.
        return context.dns_proxy and packet.fqdn is not None and any(
            fqdn_matches(f, packet.fqdn) for f in rule.get("destinationFqdns", ()))
    if packet.protocol.upper() != "TCP" or packet.fqdn is None:
        return False
    if not any(p["port"] == packet.port for p in rule.get("protocols", ())):
        return False
    names = list(rule.get("targetFqdns", ()))
    for tag in rule.get("fqdnTags", ()):
        names += list(context.tag_fqdns.get(tag, ()))
    return any(fqdn_matches(n, packet.fqdn) for n in names)


def _ranges(prefixes: Iterable[str]) -> tuple[bool, tuple[tuple[int, int], ...], frozenset[str]]:
    """(any address, integer ranges, service tags) of a rule's address list."""
    ranges, tags, anything = [], set(), False
    for prefix in prefixes:
        if prefix == "*":
            anything = True
        elif prefix[:1].isdigit():
            net = parse_prefix(prefix)
            ranges.append((int(net.network_address), int(net.broadcast_address)))
        else:
            tags.add(prefix)
    return anything, tuple(ranges), frozenset(tags)


def _in(compiled: tuple[bool, tuple[tuple[int, int], ...], frozenset[str]], address: int | None,
        tags: frozenset[str]) -> bool:
    anything, ranges, named = compiled
    return anything or bool(named & tags) or (address is not None and any(a <= address <= b for a, b in ranges))


class CompiledFirewall:
    """A policy's rules in processing order, compiled once into integer ranges and sets: what
    `firewall_rule_matches` decides, at the speed a platform of hundreds of rules needs."""

    def __init__(self, rules: Sequence[FirewallRule], context: FirewallContext):
        self.context = context
        self.entries = []
        for entry in rules:
            rule = entry.rule
            sources = [*rule.get("sourceAddresses", ())]
            for group in rule.get("sourceIpGroups", ()):
                sources += list(context.ip_groups.get(group, ()))
            kind = rule["ruleType"]
            destinations = [str(context.public_address) if a == PUBLIC_ADDRESS and context.public_address else a
                            for a in rule.get("destinationAddresses", ())]
            protocols = {p.upper() for p in rule.get("ipProtocols", ())}
            names = [*rule.get("targetFqdns", ())]
            for tag in rule.get("fqdnTags", ()):
                names += list(context.tag_fqdns.get(tag, ()))
            self.entries.append((entry, kind, _ranges(sources), _ranges(destinations),
                                 None if protocols & {"ANY", "*"} else frozenset(protocols),
                                 port_ranges(rule.get("destinationPorts", ())),
                                 frozenset(p["port"] for p in rule.get("protocols", ())),
                                 tuple(n.lower() for n in names),
                                 tuple(f.lower() for f in rule.get("destinationFqdns", ()))
                                 if context.dns_proxy else ()))

    def decide(self, packet: Packet) -> FirewallRule | None:
        source = int(packet.source)
        destination = int(packet.destination) if packet.destination is not None else None
        protocol, port, name = packet.protocol.upper(), packet.port, (packet.fqdn or "").lower()
        source_tags, destination_tags = packet.source_tags, packet.destination_tags
        # The cheap tests first (protocol, port, name), the address ranges last.
        for entry, kind, sources, destinations, protocols, ports, web_ports, names, fqdns in self.entries:
            if kind == "ApplicationRule":
                if not (protocol == "TCP" and name and port in web_ports and any(fqdn_matches(n, name) for n in names)):
                    continue
            else:
                if protocols is not None and protocol not in protocols:
                    continue
                if ports is not None and not any(a <= port <= b for a, b in ports):
                    continue
                if not (_in(destinations, destination, destination_tags) or (
                        kind == "NetworkRule" and name and any(fqdn_matches(f, name) for f in fqdns))):
                    continue
            if _in(sources, source, source_tags):
                return entry
        return None


def firewall_decide(rules: Sequence[FirewallRule], packet: Packet, context: FirewallContext) -> FirewallRule | None:
    """The first matching rule in processing order (`firewall_rules`), or None: denied by default."""
    return CompiledFirewall(rules, context).decide(packet)


# The stack as a network ---------------------------------------------------------------------

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


def system_routes(vnet: str, spaces: Mapping[str, Sequence[Net]], peered: bool) -> list[Route]:
    routes = [Route(Net("0.0.0.0/0"), "Internet", "system", "default")]
    routes += [Route(n, "None", "system", "private-range") for n in (*PRIVATE, Net("100.64.0.0/10"))]
    for other, prefixes in spaces.items():
        if other == vnet:
            routes += [Route(p, "VnetLocal", "system", "vnet-local") for p in prefixes]
        elif peered:
            routes += [Route(p, "VNetPeering", "system", f"peering-{other}") for p in prefixes]
    return routes


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
        pod_routed = ("nodes", "appgw") if spec.ingress.controller == "appgw" else ("nodes",)
    subnets: dict[str, Subnet] = {}
    for vnet in net.vnets:
        for role, prefix in vnet.subnets.items():
            routes = system_routes(vnet.role, spaces, peered) + user.get(role, [])
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
    reach = intent.reachability if intent is not None else None
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




# Tracing ------------------------------------------------------------------------------------

def _stops(hops: list[Hop], hop: Hop | None) -> bool:
    """Add a layer's verdict to the path (a layer with nothing to say adds none); True when it denies."""
    if hop is None:
        return False
    hops.append(hop)
    return hop.action == "deny"


def _ports_allow(ports: Any, protocol: str, port: int) -> bool:
    return any(p == protocol and any(a <= port <= b for a, b in intervals) for p, intervals in ports.ranges)


class Tracer:
    """Walks packets through a `Network`; `trace` is the one entry."""

    def __init__(self, net: Network):
        self.net = net
        self.book = net.book()
        regions = [g.external for g in net.reach.groups if g.external is not None] if net.reach else []
        # The outside regions as sorted integer ranges, to find an address's region by bisection.
        self._region_ranges = sorted((int(c.network_address), int(c.broadcast_address), r.id)
                                     for r in regions for c in r.cidrs)
        self._region_starts = [start for start, _, _ in self._region_ranges]
        self._firewall = CompiledFirewall(net.firewall_rules, net.firewall_context) \
            if net.firewall_context is not None else None

    # Places ---------------------------------------------------------------------------------

    def node(self) -> Place:
        nodes = self.net.subnets["nodes"]
        return Place("node", "nodes", nodes.prefix.network_address + 5, subnet=nodes)

    def app_place(self, key: str) -> Place:
        app = self.net.apps[key]
        subnet = self.net.subnets[self.net.node_subnet]
        return Place("app", key, app.address, subnet=subnet, app=app)

    def address_place(self, address: IPv4, label: str | None = None) -> Place:
        label = label or str(address)
        subnet = self.net.subnet_of(address)
        if subnet is not None:
            return Place("address", label, address, subnet=subnet)
        vnet = self.net.vnet_of(address)
        if vnet is not None:
            return Place("address", label, address, vnet=vnet)
        if any(address in n for n in self.net.on_premises):
            return Place("onprem", label, address)
        return Place("internet", label, address, tags=frozenset({"Internet"}))

    def cidr_place(self, network: Net, label: str) -> Place:
        """A range, as one address of it stands for it (the first usable one of a range of more than two)."""
        return self.address_place(network.network_address + (1 if network.num_addresses > 2 else 0), label)

    def internet(self) -> Place:
        return Place("internet", "internet", INTERNET_ADDRESS, tags=frozenset({"Internet"}))

    def onprem(self) -> Place | None:
        if not self.net.on_premises:
            return None
        return Place("onprem", "onprem", self.net.on_premises[0].network_address + 1)

    def fqdn(self, name: str) -> Place:
        return Place("fqdn", f"fqdn:{name}", None, fqdn=name.lower())

    def apiserver(self) -> Place:
        return Place("apiserver", "apiserver", self.net.api_address)

    def _egress_address(self, place: Place) -> IPv4:
        """The source the VNet sees: pods behind kubenet or Overlay leave with their node's address."""
        if place.kind == "app" and self.net.pod_cidr is not None:
            return self.node().address  # type: ignore[return-value]
        assert place.address is not None
        return place.address

    # NetworkPolicy --------------------------------------------------------------------------

    def _member(self, place: Place, address: IPv4 | None = None) -> str | None:
        if place.app is not None:
            return place.app.key
        address = address or place.address
        if address is None:
            return None
        index = bisect.bisect_right(self._region_starts, int(address)) - 1
        if index >= 0 and self._region_ranges[index][1] >= int(address):
            return self._region_ranges[index][2]
        return None

    def _policy_hop(self, source: str | None, destination: str | None, protocol: str, port: int,
                    shown: tuple[str, str] | None = None) -> Hop | None:
        """`shown`: how to name the two ends, when an outside region's CIDRs would say less than a label."""
        if self.net.reach is None or source is None or destination is None:
            return None
        allowed = self.net.reach.allowed_between(source, destination)
        ok = _ports_allow(allowed, protocol, port)
        names = shown or (member_text(source), member_text(destination))
        return Hop("networkPolicy", f"{names[0]} -> {names[1]}", f"{protocol}/{port}", "allow" if ok else "deny")

    # Layers ---------------------------------------------------------------------------------

    def _nsg_hop(self, subnet: Subnet, direction: str, packet: Packet) -> Hop | None:
        if subnet.nsg is None:
            return None
        rule = nsg_decide(subnet.nsg, direction, packet, self.book)
        return Hop("nsg", f"nsg of {subnet.azure_name}", f"{rule.name} ({direction.lower()}, priority {rule.priority})",
                   "allow" if rule.access == "Allow" else "deny")

    def _route_hop(self, subnet: Subnet, address: IPv4) -> tuple[Hop, Route]:
        route = route_lookup(subnet.routes, address)
        target = f" {route.address}" if route.address is not None else ""
        rule = f"{route.prefix} -> {route.next_hop}{target} ({route.origin})"
        return Hop("route", f"routes of {subnet.azure_name}", rule,
                   "deny" if route.next_hop == "None" else "forward"), route

    def _peering_hop(self, origin: str, target: str, forwarded: bool) -> Hop:
        admitted = PEERING.allow_virtual_network_access and (PEERING.allow_forwarded_traffic or not forwarded)
        rule = "allowForwardedTraffic" if forwarded else "allowVirtualNetworkAccess"
        return Hop("peering", f"{origin} -> {target}", rule, "forward" if admitted else "deny")

    def _firewall_hop(self, packet: Packet) -> tuple[Hop, FirewallRule | None]:
        assert self._firewall is not None
        rule = self._firewall.decide(packet)
        if rule is None:
            return Hop("firewall", "firewall policy", "no rule matches: denied by default", "deny"), None
        action = {"Allow": "allow", "Deny": "deny", "DNAT": "translate"}[rule.action]
        return Hop("firewall", "firewall policy", rule.name, action), rule

    # Paths ----------------------------------------------------------------------------------

    def trace(self, source: Place, destination: Place, protocol: str, port: int, via: str | None = None) -> Path:
        """The path of one packet. `via` limits the internet's ways in to one kind of frontend:
        `ingress`, `service` or `dnat` (None: whichever lets the packet through)."""
        hops: list[Hop] = []
        if destination.kind == "apiserver":
            return Path(tuple(self._to_api(source, protocol, port, hops)))
        if destination.fqdn is not None:
            destination = self._resolve(source, destination, hops)
        if source.kind == "internet" and destination.kind == "privateEndpoint":
            return Path((*hops, Hop("privateEndpoint", f"public endpoint of {destination.fqdn}",
                                    "public network access disabled: private endpoint only", "deny")))
        if source.kind == "internet":
            return self._inbound(source, destination, protocol, port, via)
        if source.kind == "onprem":
            return Path(tuple(self._from_onprem(source, destination, protocol, port, hops)))
        return Path(tuple(self._from_inside(source, destination, protocol, port, hops)))

    def _resolve(self, source: Place, destination: Place, hops: list[Hop]) -> Place:
        name = destination.fqdn or ""
        private = self.net.private_names.get(name)
        if private is not None:
            zone, address = private
            if source.kind == "internet":  # public DNS answers, but the service's public access is off
                hops.append(Hop("dns", "public DNS", f"{name} -> its public endpoint", "resolve"))
                return Place("privateEndpoint", destination.label, None, fqdn=name)
            hops.append(Hop("dns", f"private zone {zone}", f"{name} -> {address}", "resolve"))
            return Place("privateEndpoint", destination.label, address, subnet=self.net.subnet_of(address), fqdn=name)
        api_zone = self.net.api_zone
        if api_zone is not None and self.net.api_address is not None and name.endswith("." + api_zone) \
                and source.kind not in ("internet",):
            hops.append(Hop("dns", f"private zone {api_zone}", f"{name} -> {self.net.api_address}", "resolve"))
            return Place("apiserver", destination.label, self.net.api_address, fqdn=name)
        hops.append(Hop("dns", "public DNS", f"{name} -> a public address", "resolve"))
        return Place("internet", destination.label, INTERNET_ADDRESS, fqdn=name, tags=frozenset({"Internet"}))

    def _from_inside(self, source: Place, destination: Place, protocol: str, port: int,
                     hops: list[Hop]) -> list[Hop]:
        if source.app is not None and destination.app is not None:
            hops.append(Hop("route", "cluster network", "pod to pod", "forward"))
            hop = self._policy_hop(source.app.key, destination.app.key, protocol, self._container_port(
                destination, protocol, port))
            return hops + ([hop] if hop else [])
        if destination.app is not None:
            return self._to_app(source, destination, protocol, port, hops)
        return self._vnet_path(source, destination, protocol, port, hops)

    def _to_app(self, source: Place, destination: Place, protocol: str, port: int, hops: list[Hop]) -> list[Hop]:
        """From an address of the VNets to an app: through its internal load balancer, or straight to
        its pods when they have VNet addresses."""
        app = destination.app
        assert app is not None
        if app.service_type == "InternalLoadBalancer" and any(
                p == protocol and s == port for p, s, _ in app.service_ports):
            ilb = self.net.subnets.get("ilb") or self.net.subnets["nodes"]
            frontend = app.static_ip or ilb.prefix.network_address + 4
            hops = self._vnet_path(source, self.address_place(frontend), protocol, port, hops)
            if hops and hops[-1].action == "deny":
                return hops
            hops.append(Hop("loadBalancer", f"internal load balancer {frontend}", f"{app.key} {protocol}/{port}",
                            "forward"))
        elif self.net.pod_cidr is None:
            pods = Place("address", app.key, app.address, subnet=self.net.subnets[self.net.node_subnet])
            hops = self._vnet_path(source, pods, protocol, port, hops)
            if hops and hops[-1].action == "deny":
                return hops
        else:
            return [*hops, Hop("route", "cluster network", f"{app.key}: pod addresses from the pod CIDR are routable "
                               "only inside the cluster; reach the app through an internal load balancer", "deny")]
        hop = self._policy_hop(self._member(source), app.key, protocol, self._container_port(destination, protocol,
                                                                                             port),
                               (source.label, app.key))
        return hops + ([hop] if hop else [])

    def _vnet_subnet(self, place: Place) -> Subnet:
        """The subnet a place sends from: its own, or for a VNet-wide range the VNet's system routes."""
        if place.subnet is not None:
            return place.subnet
        assert place.vnet is not None
        return Subnet(place.vnet, place.vnet, self.net.vnet_spaces[place.vnet][0], f"vnet {place.vnet}", None,
                      tuple(system_routes(place.vnet, self.net.vnet_spaces, self.net.hub)))

    def _vnet_path(self, source: Place, destination: Place, protocol: str, port: int, hops: list[Hop]) -> list[Hop]:
        assert destination.address is not None
        subnet = self._vnet_subnet(source)
        if source.app is not None and _stops(hops, self._policy_hop(
                source.app.key, self._member(destination), protocol, port, (source.app.key, destination.label))):
            return hops
        packet = Packet(self._egress_address(source), destination.address, protocol, port, destination.fqdn,
                        destination_tags=destination.tags)
        if _stops(hops, self._nsg_hop(subnet, "Outbound", packet)):
            return hops
        route_hop, route = self._route_hop(subnet, destination.address)
        hops.append(route_hop)
        if route.next_hop == "None":
            return hops
        if route.next_hop == "VirtualAppliance":
            if route.address is None or route.address != self.net.firewall_address or \
                    self.net.firewall_context is None:
                hops.append(Hop("route", f"appliance {route.address}", "not modelled: assumed to forward", "forward"))
                return hops
            firewall_vnet = self.net.vnet_of(route.address)
            if firewall_vnet is not None and firewall_vnet != subnet.vnet:
                hops.append(self._peering_hop(subnet.vnet, firewall_vnet, forwarded=False))
            firewall_hop, _ = self._firewall_hop(packet)
            hops.append(firewall_hop)
            if firewall_hop.action != "allow":
                return hops
            if destination.subnet is None and destination.kind not in ("apiserver", "privateEndpoint"):
                return hops  # to the internet, from the firewall's public addresses
            return self._deliver(destination, packet, firewall_vnet or subnet.vnet, hops, forwarded=True)
        if route.next_hop == "Internet":
            return hops
        return self._deliver(destination, packet, subnet.vnet, hops, forwarded=False)

    def _deliver(self, destination: Place, packet: Packet, from_vnet: str, hops: list[Hop],
                 forwarded: bool) -> list[Hop]:
        assert destination.address is not None
        target_vnet = self.net.vnet_of(destination.address)
        if target_vnet is not None and target_vnet != from_vnet:
            hops.append(self._peering_hop(from_vnet, target_vnet, forwarded))
            if hops[-1].action == "deny":
                return hops
        if destination.kind in ("apiserver", "privateEndpoint"):
            what = "API server" if destination.kind == "apiserver" else destination.fqdn
            hops.append(Hop("privateEndpoint", f"private endpoint of {what}", f"{packet.protocol}/{packet.port}",
                            "allow" if (packet.protocol, packet.port) == ("TCP", 443) else "deny"))
            return hops
        subnet = destination.subnet
        if subnet is not None:
            hop = self._nsg_hop(subnet, "Inbound", packet)
            if hop is not None:
                hops.append(hop)
        return hops

    def _container_port(self, destination: Place, protocol: str, port: int) -> int:
        if destination.app is None:
            return port
        for proto, service, container in destination.app.service_ports:
            if proto == protocol and service == port:
                return container
        return port

    def _reply(self, subnet: Subnet, to: IPv4, expected: str, hops: list[Hop]) -> list[Hop]:
        """The reply leaves `subnet` by its own routes: through anything but the way the request came
        (`expected`: `direct` or the firewall) is asymmetric, and the stateful device that sees only
        the reply drops it."""
        route = route_lookup(subnet.routes, to)
        through_firewall = route.next_hop == "VirtualAppliance"
        if through_firewall != (expected == "firewall"):
            via = f"{route.next_hop} {route.address}" if route.address else route.next_hop
            why = "which never saw the request (asymmetric routing)" if through_firewall else \
                "not back through the firewall the request came through (asymmetric routing)"
            hops.append(Hop("route", f"routes of {subnet.azure_name}", f"the reply to {to} leaves by {route.prefix} "
                            f"-> {via}, {why}", "deny"))
        return hops

    def _inbound(self, source: Place, destination: Place, protocol: str, port: int, via: str | None) -> Path:
        candidates: list[list[Hop]] = []
        if destination.app is not None and via in (None, "ingress"):
            key = destination.app.key
            if self.net.ingress_controller == "appgw" and self.net.app_gateway is not None:
                candidates += [self._through_gateway(source, destination, route, protocol, port)
                               for route in self.net.ingress_routes if route[2] == key and route[4] == port]
                redirected = [r for r in self.net.ingress_routes if r[2] == key and r[4] == 443]
                if port == 80 and redirected and protocol == "TCP":
                    name, host = redirected[0][0], redirected[0][1]
                    candidates.append([Hop("appGateway", "application gateway",
                                           f"ingress {name}: {host}:80 redirects to https://{host}", "deny")])
            nginx = self.net.nginx
            if self.net.ingress_controller == "nginx" and nginx is not None and nginx.visibility == "public":
                candidates += [self._through_public_lb(source, destination, protocol, port, "nginx", route[3])
                               for route in self.net.ingress_routes if route[2] == key and route[4] == port]
        if destination.app is not None and via in (None, "service") and destination.app.service_type == \
                "LoadBalancer" and any(p == protocol and s == port for p, s, _ in destination.app.service_ports):
            candidates.append(self._through_public_lb(source, destination, protocol, port, destination.app.key, port))
        if destination.kind == "internet":
            return Path((Hop("route", "internet", f"{destination.label} is on the internet", "forward"),))
        if self.net.firewall_context is not None and via in (None, "dnat"):
            candidates.append(self._through_dnat(source, destination, protocol, port))
        if not candidates:
            return Path((Hop("loadBalancer", "public frontends", f"none serves {protocol}/{port} for "
                             f"{destination.label}", "deny"),))
        allowed = [c for c in candidates if Path(tuple(c)).verdict == "allowed"]
        deepest = max(range(len(candidates)), key=lambda index: len(candidates[index]))
        return Path(tuple(allowed[0] if allowed else candidates[deepest]))

    def _through_gateway(self, source: Place, destination: Place, route: tuple[str, str, str, int, int],
                         protocol: str, port: int) -> list[Hop]:
        gateway = self.net.app_gateway
        subnet = self.net.subnets["appgw"]
        assert destination.app is not None and source.address is not None
        gateway_address = subnet.prefix.network_address + 4
        hops: list[Hop] = []
        if _stops(hops, self._nsg_hop(subnet, "Inbound", Packet(source.address, gateway_address, protocol, port,
                                                                source_tags=source.tags))):
            return hops
        name, host, key, service_port, listener = route
        if not gateway.public_frontend:
            return [*hops, Hop("appGateway", "application gateway", "no public frontend", "deny")]
        if protocol != "TCP":
            return [*hops, Hop("appGateway", "application gateway", f"listens on TCP only, not {protocol}", "deny")]
        waf = f", WAF {gateway.waf_mode}" if gateway.sku.startswith("WAF") else ""
        hops.append(Hop("appGateway", f"application gateway ({gateway.sku}{waf})",
                        f"ingress {name}: {host}:{listener} -> {key}:{service_port}", "forward"))
        container = self._container_port(destination, "TCP", service_port)
        assert destination.address is not None
        route_hop, next_route = self._route_hop(subnet, destination.address)
        hops.append(route_hop)
        if next_route.next_hop not in ("Cluster", "VnetLocal", "VNetPeering"):
            hops[-1] = Hop("route", route_hop.resource, route_hop.rule + ": the gateway cannot reach the pods", "deny")
            return hops
        nodes = self.net.subnets[self.net.node_subnet]
        node = nodes.prefix.network_address + 5
        if _stops(hops, self._nsg_hop(nodes, "Inbound", Packet(gateway_address, node, "TCP", container))):
            return hops
        from_gateway = self._member(Place("address", "", gateway_address))
        if _stops(hops, self._policy_hop(from_gateway, destination.app.key, "TCP", container)):
            return hops
        return self._reply(subnet, source.address, "direct", hops)

    def _through_public_lb(self, source: Place, destination: Place, protocol: str, port: int, frontend: str,
                           service_port: int) -> list[Hop]:
        assert destination.app is not None and source.address is not None
        nodes = self.net.subnets["nodes"]
        hops = [Hop("loadBalancer", f"public load balancer ({frontend})", f"{protocol}/{port}", "forward")]
        if _stops(hops, self._nsg_hop(nodes, "Inbound", Packet(source.address, PUBLIC_FRONTEND, protocol, port,
                                                               source_tags=source.tags))):
            return hops
        container = self._container_port(destination, protocol, service_port)
        # Through nginx, the app's traffic comes from the controller's pods; else from the client.
        if frontend == "nginx" and self.net.controller is not None and self.net.controller.namespace is not None:
            hop = self._policy_hop(f"{self.net.controller.namespace}/ingress-controller", destination.app.key,
                                   protocol, container)
        else:
            hop = self._policy_hop(self._member(source), destination.app.key, protocol, container,
                                   (source.label, destination.app.key))
        if _stops(hops, hop):
            return hops
        return self._reply(nodes, source.address, "direct", hops)

    def _through_dnat(self, source: Place, destination: Place, protocol: str, port: int) -> list[Hop]:
        assert source.address is not None
        packet = Packet(source.address, FIREWALL_PUBLIC_ADDRESS, protocol, port, source_tags=source.tags)
        hop, rule = self._firewall_hop(packet)
        if rule is None or rule.action != "DNAT":
            return [Hop("firewall", "firewall policy", f"no DNAT rule publishes {protocol}/{port}", "deny")]
        hops = [hop]
        translated = IPv4(rule.rule["translatedAddress"])
        translated_port = int(rule.rule["translatedPort"])
        app = next((a for a in self.net.apps.values() if a.static_ip == translated
                    and any(p == protocol and s == translated_port for p, s, _ in a.service_ports)), None)
        if app is None or (destination.app is not None and destination.app.key != app.key):
            return [*hops, Hop("loadBalancer", f"{translated}:{translated_port}",
                               f"no internal Service of {destination.label} listens here", "deny")]
        assert self.net.firewall_address is not None
        firewall_subnet = self.net.subnets["AzureFirewallSubnet"]
        route_hop, _ = self._route_hop(firewall_subnet, translated)
        hops.append(route_hop)
        target_vnet = self.net.vnet_of(translated)
        # Azure Firewall translates the source of DNAT traffic to its own private address, so the
        # reply comes back to it (https://learn.microsoft.com/azure/firewall/firewall-faq).
        if target_vnet is not None and target_vnet != firewall_subnet.vnet:
            hops.append(self._peering_hop(firewall_subnet.vnet, target_vnet, forwarded=False))
        hops.append(Hop("loadBalancer", f"internal load balancer {translated}",
                        f"{app.key} {protocol}/{translated_port}", "forward"))
        nodes = self.net.subnets[self.net.node_subnet]
        container = self._container_port(self.app_place(app.key), protocol, translated_port)
        packet = Packet(self.net.firewall_address, translated, protocol, translated_port)
        if _stops(hops, self._nsg_hop(nodes, "Inbound", packet)):
            return hops
        policy = self._policy_hop(self._member(Place("address", "", self.net.firewall_address)), app.key, protocol,
                                  container)
        if policy is not None:
            hops.append(policy)
        return hops if hops[-1].action == "deny" else self._reply(nodes, self.net.firewall_address, "direct", hops)

    def _from_onprem(self, source: Place, destination: Place, protocol: str, port: int,
                     hops: list[Hop]) -> list[Hop]:
        hops.append(Hop("route", "hub gateway", f"{source.address} arrives through the hub's gateway", "forward"))
        if destination.address is None or self.net.vnet_of(destination.address) is None:
            return [*hops, Hop("route", "hub gateway", "on-premises reaches only the stack's VNets", "deny")]
        if self.net.vnet_of(destination.address) == "spoke" and self.net.hub and \
                not (PEERING.allow_gateway_transit and PEERING.use_remote_gateways):
            return [*hops, Hop("peering", "hub -> spoke", "no gateway transit: the spoke's ranges are not "
                               "advertised on-premises", "deny")]
        assert source.address is not None and destination.address is not None
        packet = Packet(source.address, destination.address, protocol, port)
        return self._deliver(destination, packet, "hub" if self.net.hub else "spoke", hops, forwarded=True)

    def _to_api(self, source: Place, protocol: str, port: int, hops: list[Hop]) -> list[Hop]:
        net = self.net
        if not net.private_api:
            address = source.address if source.kind in ("internet", "onprem") else None
            if address is None:
                return self._from_inside(source, self.fqdn_destination(), protocol, port, hops) \
                    if source.subnet is not None else hops
            ok = not net.authorized_ranges or any(address in r for r in net.authorized_ranges)
            return [*hops, Hop("loadBalancer", "API server public endpoint",
                               "authorizedIpRanges" if net.authorized_ranges else "open to the internet",
                               "allow" if ok else "deny")]
        if source.kind == "internet":
            return [*hops, Hop("privateEndpoint", "private endpoint of API server",
                               "private cluster: no public endpoint", "deny")]
        if net.api_zone is not None:
            hops.append(Hop("dns", f"private zone {net.api_zone}", f"API server -> {net.api_address}", "resolve"))
        destination = self.apiserver()
        if source.kind == "onprem":
            return self._from_onprem(source, destination, protocol, port, hops)
        return self._from_inside(source, destination, protocol, port, hops)

    def fqdn_destination(self) -> Place:
        """A public API server, as the cluster reaches it: a name under the AKS FQDN tag."""
        return Place("internet", "apiserver", INTERNET_ADDRESS, fqdn=public_api_server_fqdn(self.net.location),
                     tags=frozenset({"Internet"}))


PUBLIC_FRONTEND = IPv4("192.0.2.100")
"""Stands for a public load balancer's frontend address (TEST-NET-1, RFC 5737)."""
