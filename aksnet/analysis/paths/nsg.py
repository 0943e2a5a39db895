"""The NSG layer: a subnet's security rules by priority, Azure's default rules after them
(https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules).
Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Sequence

from aksnet.analysis.paths.packet import AddressBook, Packet, port_matches, protocol_matches
from aksnet.plan.security_rules import Rule as NsgRule

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

