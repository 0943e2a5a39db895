"""Egress: the outbound type and its next hop, the firewall and its subnets, NAT gateway limits, and
Bastion's subnet. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.egress import basic_sku_refusals
from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.rule import Rule, RuleBook

NAT_GATEWAY_MAX_IPS = 16
EGRESS = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
FIREWALL_FAQ = "https://learn.microsoft.com/azure/firewall/firewall-faq"
FIREWALL_BASIC = "https://learn.microsoft.com/azure/firewall/basic-features"
FIREWALL_FQDN = "https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules"
BASTION = "https://learn.microsoft.com/azure/bastion/configuration-settings"
NAT_GATEWAY = "https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource"


def _fixed_subnet_home(spec: StackConfig) -> str:
    return "network.hub.subnets" if spec.network.hub is not None else "network.spoke.subnets"


book = RuleBook()


@book.refusal("udr-needs-an-appliance", "userDefinedRouting needs a default route to a virtual appliance.", EGRESS)
def udr_needs_an_appliance(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.outbound_type == "userDefinedRouting" and spec.egress.firewall is None and c.egress_next_hop_ip is None:
        yield Problem.at("cluster.outboundType", "userDefinedRouting needs a default route to a virtual appliance: "
                 "declare egress.firewall, or give cluster.egressNextHopIp")


@book.refusal("next-hop-only-for-udr-without-firewall", "An explicit next hop only where nothing else is one.", EGRESS)
def next_hop_only_for_udr_without_firewall(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    fw = spec.egress.firewall
    if c.egress_next_hop_ip is not None and (fw is not None or c.outbound_type != "userDefinedRouting"):
        why = "egress.firewall already is the next hop" if fw is not None else \
            f"outboundType is {c.outbound_type}, which routes nothing to it"
        yield Problem.at("cluster.egressNextHopIp", f"is set but {why}; remove it")


@book.refusal("firewall-carries-egress", "A firewall is declared only when egress leaves through it.", EGRESS)
def firewall_carries_egress(spec: StackConfig) -> Iterator[Problem]:
    outbound = spec.cluster.outbound_type
    if spec.egress.firewall is not None and outbound != "userDefinedRouting":
        yield Problem.at("egress.firewall", f"is declared but cluster.outboundType is {outbound}, so no "
                 "traffic leaves through it; set outboundType userDefinedRouting or remove the firewall")


@book.refusal("firewall-needs-its-subnets", "Azure Firewall needs AzureFirewallSubnet (and, for Basic, the "
            "management subnet).",
              FIREWALL_FAQ)
def firewall_needs_its_subnets(spec: StackConfig) -> Iterator[Problem]:
    fw = spec.egress.firewall
    if fw is None or spec.landing_zone.role == "spoke":  # a spoke's firewall is its hub's
        return
    if spec.network.subnet("AzureFirewallSubnet") is None:
        yield Problem.at("egress.firewall", f"needs a subnet named exactly AzureFirewallSubnet in "
                 f"{_fixed_subnet_home(spec)} (/26 or larger)")
    if fw.sku == "Basic" and spec.network.subnet("AzureFirewallManagementSubnet") is None:
        yield Problem.at("egress.firewall.sku", "Basic needs an AzureFirewallManagementSubnet (/26) beside "
                 "AzureFirewallSubnet")


@book.refusal("basic-firewall-features", "The Basic firewall has no threat-intel Deny and no DNS proxy.",
              FIREWALL_BASIC)
def basic_firewall_features(spec: StackConfig) -> Iterator[Problem]:
    fw = spec.egress.firewall
    for key, message in basic_sku_refusals(fw) if fw is not None else ():
        yield Problem.at(key, message)


@book.refusal("fqdn-network-rules-need-dns-proxy", "FQDNs in network rules need the DNS proxy.", FIREWALL_FQDN)
def fqdn_network_rules_need_dns_proxy(spec: StackConfig) -> Iterator[Problem]:
    fw = spec.egress.firewall
    if fw is None or fw.dns_proxy:
        return
    for index, rule in enumerate(fw.network_rules):
        if rule.destination_fqdns:
            yield Problem.at(f"egress.firewall.networkRules[{index}].destinationFqdns", "FQDNs in network rules "
                     "need the firewall's DNS proxy; set egress.firewall.dnsProxy true")


@book.refusal("bastion-needs-its-subnet", "Azure Bastion needs AzureBastionSubnet.", BASTION)
def bastion_needs_its_subnet(spec: StackConfig) -> Iterator[Problem]:
    if spec.network.bastion and spec.network.subnet("AzureBastionSubnet") is None:
        yield Problem.at("network.bastion", f"needs a subnet named exactly AzureBastionSubnet in "
                 f"{_fixed_subnet_home(spec)} (/26 or larger); add it, or set network.bastion false")


@book.refusal("nat-gateway-ip-limit", "A NAT gateway takes at most 16 public IPs.", NAT_GATEWAY)
def nat_gateway_ip_limit(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.outbound_ip_count <= NAT_GATEWAY_MAX_IPS:
        return
    if c.outbound_type == "userAssignedNATGateway":
        yield Problem.at("cluster.outboundIpCount", f"is {c.outbound_ip_count}; a NAT gateway takes at most "
                 f"{NAT_GATEWAY_MAX_IPS} public IPs")
    elif c.outbound_type == "managedNATGateway":
        yield Problem.at("cluster.outboundIpCount", f"is {c.outbound_ip_count}; a managed NAT gateway takes at most "
                 f"{NAT_GATEWAY_MAX_IPS}")


RULES: tuple[Rule, ...] = tuple(book.rules)
