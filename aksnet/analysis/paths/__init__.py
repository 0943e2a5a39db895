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

One module per idea: `packet` (the packet, ports, what addresses and service tags mean),
`verdict` (hops and paths), a module per layer's evaluator (`nsg`, `routes`, `firewall`,
`policy`), `network` (the stack as the model sees it), and the walk: `inside` (from the VNets,
peering and private endpoints included), `inbound` (the internet's ways in: application gateway,
load balancers, DNAT) and `tracer` (the entry, DNS and the API server). This package re-exports
what the other modules use.
"""

from aksnet.analysis.paths.firewall import (
    KIND_ORDER,
    RULE_KIND,
    CompiledFirewall,
    FirewallContext,
    FirewallRule,
    firewall_decide,
    firewall_rule_matches,
    firewall_rules,
    fqdn_matches,
)
from aksnet.analysis.paths.network import App, Network, Place, Subnet, network_of
from aksnet.analysis.paths.nsg import DEFAULT_NSG_RULES, nsg_decide, nsg_matches
from aksnet.analysis.paths.packet import (
    AZURE_PLATFORM,
    FIREWALL_PUBLIC_ADDRESS,
    INTERNET_ADDRESS,
    PRIVATE,
    PUBLIC_FRONTEND,
    AddressBook,
    IPv4,
    Net,
    Packet,
    parse_prefix,
    port_matches,
    port_ranges,
    protocol_matches,
)
from aksnet.analysis.paths.routes import ORIGIN_RANK, Route, route_lookup, system_routes
from aksnet.analysis.paths.tracer import Tracer
from aksnet.analysis.paths.verdict import LAYERS, Hop, Path

ASSUMPTIONS = (
    "Service tags other than VirtualNetwork, Internet and AzureLoadBalancer match only a packet the model "
    "labels with them (the stack does not know their ranges).",
    "Pod-to-pod traffic stays in the cluster's data plane: NetworkPolicies decide it, not NSGs.",
    "Private endpoints ignore the NSG of their subnet (private endpoint network policies are off).",
    "The firewall reads an HTTPS destination's name from its SNI and an HTTP one's from its Host header.",
    "On-premises ranges arrive through a gateway of the hub that the stack does not manage.",
    "A cluster that brings its own CNI (networkPlugin none) enforces its NetworkPolicies; a cluster of a "
    "managed plugin without a policy engine (networkPolicy none) ignores them.",
)

__all__ = [
    "ASSUMPTIONS", "AZURE_PLATFORM", "DEFAULT_NSG_RULES", "FIREWALL_PUBLIC_ADDRESS", "INTERNET_ADDRESS", "KIND_ORDER",
    "LAYERS", "ORIGIN_RANK", "PRIVATE", "PUBLIC_FRONTEND", "RULE_KIND", "AddressBook", "App", "CompiledFirewall",
    "FirewallContext", "FirewallRule", "Hop", "IPv4", "Net", "Network", "Packet", "Path", "Place", "Route", "Subnet",
    "Tracer", "firewall_decide", "firewall_rule_matches", "firewall_rules", "fqdn_matches", "network_of",
    "nsg_decide", "nsg_matches", "parse_prefix", "port_matches", "port_ranges", "protocol_matches", "route_lookup",
    "system_routes",
]
