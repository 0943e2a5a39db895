"""The cluster's outbound type and API server access, against who owns the VNet and the path the
nodes' own traffic takes: one rule each, pure.

This project always brings its own VNet (`network.spoke`), never one AKS creates. In a cluster
whose API server is public, the nodes reach it through the outbound type ("In non-private
clusters, API server cluster traffic is routed and processed through the clusters outbound type",
https://learn.microsoft.com/azure/aks/nat-gateway): from the firewall's or the NAT gateway's
public addresses. With authorized IP ranges, those addresses must be among them. The program adds
them itself where it owns them (`aksnet.plan.cluster_profile.authorized_ranges_with`); where it
does not (an appliance of someone else's, `cluster.egressNextHopIp`), it says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.plan.cluster_profile import nodes_reach_api_through_egress
from aksnet.rules.rule import Rule, RuleBook

NAT_GATEWAY = "https://learn.microsoft.com/azure/aks/nat-gateway"
OUTBOUND_TYPES = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
AUTHORIZED_RANGES = "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"

book = RuleBook()


# "Managed NAT gateway is incompatible with custom virtual networks" (nat-gateway); "Select
# managedNatGateway when using managed virtual networks ... userAssignedNatGateway when using
# bring-your-own virtual networking" (egress-outboundtype).
@book.refusal("managed-nat-gateway-needs-an-aks-vnet", "managedNATGateway is for a VNet AKS creates; this project "
              "brings its own.", NAT_GATEWAY)
def managed_nat_gateway_needs_an_aks_vnet(spec: StackConfig) -> Iterator[Problem]:
    if spec.cluster.outbound_type == "managedNATGateway":
        yield Problem.at("cluster.outboundType", "managedNATGateway is only for a VNet AKS creates, and this stack "
                         "brings its own (network.spoke); use userAssignedNATGateway, which puts a NAT gateway of the "
                         "stack on the node subnet")


@book.refusal("nodes-reach-their-public-api-server", "With authorized IP ranges on a public API server, the nodes' "
              "egress addresses are among them.", AUTHORIZED_RANGES, production="advisory", development="advisory")
def nodes_reach_their_public_api_server(spec: StackConfig) -> Iterator[Problem]:
    """A next hop of someone else's leaves the cluster from addresses the stack does not know: advisory,
    since the ranges may already hold them (the firewall's and the NAT gateway's are added by the program)."""
    c = spec.cluster
    if nodes_reach_api_through_egress(c) and c.egress_next_hop_ip is not None and spec.egress.firewall is None:
        yield Problem.at("cluster.authorizedIpRanges", f"the nodes reach the public API server through the appliance "
                         f"at {c.egress_next_hop_ip}, from its public addresses: list them here, or make the API "
                         "server private or VNet-integrated (cluster.private, cluster.apiServerVnetIntegration)")


RULES: tuple[Rule, ...] = tuple(book.rules)
