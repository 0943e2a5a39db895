"""NSG rules of the stack's subnets, beyond Azure's defaults. Pure, no Pulumi.

Azure's default rules allow traffic within the VNet and from its load balancer, and deny
inbound traffic from the internet. What each subnet needs on top:
- the application gateway's: GatewayManager and the Azure load balancer, and its listeners;
- Bastion's: the rules Bastion refuses to deploy without;
- the nodes': the internet on the ports of the public load balancers the cluster publishes
  (public LoadBalancer Services and a public nginx). AKS writes its service rules into its own
  NSG on the nodes' NICs only, and traffic passes both NSGs.
  https://learn.microsoft.com/azure/aks/concepts-network#network-security-groups
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aksnet.config.stack import StackConfig


@dataclass(frozen=True)
class Rule:
    """One NSG rule, in the words of the Azure API."""

    name: str
    priority: int
    direction: str
    access: str
    protocol: str
    source: str
    destination: str
    ports: Sequence[str]



# Application Gateway v2: GatewayManager on 65200-65535 and the Azure load balancer must reach
# the subnet; the listeners' ports come from the Ingresses.
# https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#network-security-groups
APPGW_RULES = (
    Rule("AllowGatewayManager", 100, "Inbound", "Allow", "Tcp", "GatewayManager", "*", ("65200-65535",)),
    Rule("AllowAzureLoadBalancer", 110, "Inbound", "Allow", "*", "AzureLoadBalancer", "*", ("*",)),
)


def gateway_listener_ports(spec: StackConfig) -> tuple[str, ...]:
    """443 when an Ingress has TLS, with 80 only to redirect to it; 80 for Ingresses without."""
    routes = spec.kubernetes.workloads.ingresses
    return ("80", "443") if any(r.tls_secret for r in routes) else ("80",)

# Azure Bastion refuses an NSG on its subnet without these rules.
# https://learn.microsoft.com/azure/bastion/bastion-nsg
BASTION_RULES = (
    Rule("AllowHttpsInbound", 100, "Inbound", "Allow", "Tcp", "Internet", "*", ("443",)),
    Rule("AllowGatewayManagerInbound", 110, "Inbound", "Allow", "Tcp", "GatewayManager", "*", ("443",)),
    Rule("AllowAzureLoadBalancerInbound", 120, "Inbound", "Allow", "Tcp", "AzureLoadBalancer", "*", ("443",)),
    Rule("AllowBastionHostCommunication", 130, "Inbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork",
         ("8080", "5701")),
    Rule("AllowSshRdpOutbound", 100, "Outbound", "Allow", "*", "*", "VirtualNetwork", ("22", "3389")),
    Rule("AllowAzureCloudOutbound", 110, "Outbound", "Allow", "Tcp", "*", "AzureCloud", ("443",)),
    Rule("AllowBastionCommunication", 120, "Outbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork",
         ("8080", "5701")),
    Rule("AllowHttpOutbound", 130, "Outbound", "Allow", "*", "*", "Internet", ("80",)),
)



def public_service_ports(spec: StackConfig) -> tuple[tuple[str, str], ...]:
    """(protocol, port) of every public load balancer frontend the cluster serves."""
    ports = set()
    for app in spec.kubernetes.workloads.apps:
        if app.service_type == "LoadBalancer":
            ports |= {(p.protocol, str(p.port)) for p in app.ports}
    nginx = spec.ingress.nginx
    if spec.ingress.controller == "nginx" and nginx is not None and nginx.visibility == "public":
        ports |= {("TCP", "80"), ("TCP", "443")}
    ingresses = spec.kubernetes.workloads.ingresses
    if spec.ingress.controller == "envoyGateway" and ingresses:
        # Envoy Gateway's proxies listen behind a public LoadBalancer Service on the Gateways' ports.
        ports |= {("TCP", "80")} | ({("TCP", "443")} if any(r.tls_secret for r in ingresses) else set())
    return tuple(sorted(ports))


def subnet_rules(spec: StackConfig) -> dict[str, Sequence[Rule]]:
    """Subnet role to its NSG rules."""
    listeners = Rule("AllowListenersFromInternet", 120, "Inbound", "Allow", "Tcp", "Internet", "*",
                     gateway_listener_ports(spec))
    rules: dict[str, Sequence[Rule]] = {"appgw": (*APPGW_RULES, listeners), "AzureBastionSubnet": BASTION_RULES}
    public = public_service_ports(spec)
    if public:
        by_protocol: dict[str, list[str]] = {}
        for protocol, port in public:
            by_protocol.setdefault(protocol, []).append(port)
        rules["nodes"] = tuple(
            Rule(f"AllowPublicServices{protocol.capitalize()}", 100 + index, "Inbound", "Allow",
                 protocol.capitalize(), "Internet", "*", tuple(ports))
            for index, (protocol, ports) in enumerate(sorted(by_protocol.items())))
    inbound = cross_spoke_inbound(spec)
    if inbound:  # a spoke of a landing zone: flows from the other spokes' ranges
        rules["ilb"] = (*rules.get("ilb", ()), *inbound)
    return rules


# A spoke's NSG rules for flows from the other spokes of its landing zone.
# A spoke is peered to its hub only, so another spoke's addresses are not in its VirtualNetwork tag
# (peering is not transitive: https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview),
# and Azure's default `AllowVnetInBound` does not admit them: the hub's firewall forwards the packet
# with its source unchanged (no SNAT to private destinations:
# https://learn.microsoft.com/azure/firewall/snat-private-range), and the spoke's NSG must allow
# that source by its range. So each flow declared from a range to an app behind an internal load
# balancer gets an inbound rule on the load balancer's subnet, for the app's ports.
CROSS_SPOKE_FIRST_PRIORITY = 300
"""After the rules of `aksnet.plan.security_rules` (100-299), before Azure's defaults (65000)."""


def cross_spoke_inbound(spec: StackConfig) -> tuple[Rule, ...]:
    """The inbound rules of a spoke's `ilb` subnet for its flows from ranges; none for other roles."""
    if spec.landing_zone.role != "spoke" or "ilb" not in spec.network.spoke.subnets:
        return ()
    workloads = spec.kubernetes.workloads
    ilb = str(spec.network.spoke.subnets["ilb"])
    rules: list[Rule] = []
    for flow in workloads.flows:
        if flow.source.cidr is None or flow.source.fqdn is not None:
            continue
        for app in workloads.apps_selected_by(flow.destination):
            if app.service_type != "InternalLoadBalancer":
                continue
            by_protocol: dict[str, list[str]] = {}
            for port in app.ports:
                wanted = not flow.ports or any(
                    p.protocol == port.protocol and (p.name == port.name if p.name is not None else
                                                     p.port is None or p.port <= port.port <= (p.end_port or p.port))
                    for p in flow.ports)
                if wanted:
                    by_protocol.setdefault(port.protocol, []).append(str(port.port))
            destination = f"{app.static_ip}/32" if app.static_ip is not None else ilb
            for protocol, ports in sorted(by_protocol.items()):
                rules.append(Rule(f"AllowFlow-{flow.name}-{app.name}-{protocol.lower()}"[:80],
                                  CROSS_SPOKE_FIRST_PRIORITY + len(rules), "Inbound", "Allow", protocol.capitalize(),
                                  str(flow.source.cidr), destination, tuple(ports)))
    return tuple(rules)
