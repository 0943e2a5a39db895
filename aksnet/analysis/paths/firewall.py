"""The firewall layer: DNAT, then network, then application rules, each by group priority,
collection priority and rule order; no match is a denial
(https://learn.microsoft.com/azure/firewall/rule-processing). Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aksnet.analysis.paths.packet import IPv4, Packet, parse_prefix, port_matches, port_ranges, protocol_matches
from aksnet.plan.egress_rules import PUBLIC_ADDRESS

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


def network_fqdn_matches(listed: str, name: str) -> bool:
    """A network rule's destination FQDN names one host: the firewall resolves it and matches its
    addresses, so `*.contoso.com` is no wildcard there (fqdn-filtering-network-rules: "doesn't support
    wildcards by design"). Names compare without regard to case (RFC 4343)."""
    return listed.lower() == name.lower()


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
        # FQDNs in network rules are resolved by the firewall's DNS proxy, and only then match; they take
        # no wildcards (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules).
        return context.dns_proxy and packet.fqdn is not None and any(
            network_fqdn_matches(f, packet.fqdn) for f in rule.get("destinationFqdns", ()))
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
                        kind == "NetworkRule" and name and name in fqdns)):
                    continue
            if _in(sources, source, source_tags):
                return entry
        return None


def firewall_decide(rules: Sequence[FirewallRule], packet: Packet, context: FirewallContext) -> FirewallRule | None:
    """The first matching rule in processing order (`firewall_rules`), or None: denied by default."""
    return CompiledFirewall(rules, context).decide(packet)

