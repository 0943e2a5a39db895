"""The `egress` section: the hub's Azure Firewall and the stack's own network and DNAT rules. Pure, no Pulumi."""

from __future__ import annotations

import ipaddress
import re

from aksnet.config.model import DnatRule, EgressSpec, FirewallSpec, NetworkRule
from aksnet.config.schema import Obj, Problems, choice_item, element, show, string_item, zone_item
from aksnet.vocabulary import FQDN, FQDN_HINT

FIREWALL_SKUS = ("Basic", "Standard", "Premium")
THREAT_INTEL_MODES = ("Deny", "Alert", "Off")
FIREWALL_PROTOCOLS = ("TCP", "UDP", "ICMP", "Any")
RULE_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}"  # Azure Firewall rule names
RULE_NAME_HINT = "letters, digits, '.', '_' and '-', at most 80 characters"


@element("`*`, a port from 1 to 65535, or a range such as 8000-8080")
def firewall_port(problems: Problems, path: str, value: object) -> str | None:
    """A destination port of an Azure Firewall rule: `*`, a port 1-65535, or a range `low-high`.
    https://learn.microsoft.com/azure/firewall/rule-processing"""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if text == "*":
        return text
    match = re.fullmatch(r"([0-9]{1,5})(?:-([0-9]{1,5}))?", text) if isinstance(text, str) else None
    low, high = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
    if match is None or not 1 <= low <= high <= 65535:
        problems.add(path, f"{show(value)} is not a port; expected * , a port from 1 to 65535, or a range "
                     "such as 8000-8080")
        return None
    return str(text)


@element("`*`, an IPv4 address, a CIDR (host bits zero) or a service tag such as AzureCloud.westeurope")
def firewall_address(problems: Problems, path: str, value: object) -> str | None:
    """A destination of an Azure Firewall network rule: `*`, an IPv4 address or CIDR, or a service tag
    such as `AzureCloud.westeurope`. https://learn.microsoft.com/azure/firewall/service-tags"""
    if isinstance(value, str) and (value == "*" or re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)?", value)):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9./]+", value):
        try:
            ipaddress.IPv4Network(value, strict=True)
            return value
        except ValueError:
            pass
    problems.add(path, f"{show(value)} is not an IPv4 address, CIDR (host bits zero) or service tag such as "
                 "AzureCloud.westeurope")
    return None


def _network_rule(obj: Obj) -> NetworkRule | None:
    rule = NetworkRule(
        name=obj.text("name", pattern=RULE_NAME_PATTERN, hint=RULE_NAME_HINT, doc="the rule's name"),
        protocols=obj.items("protocols", choice_item(FIREWALL_PROTOCOLS), min_items=1, doc="the rule's protocols"),
        destination_addresses=obj.items("destinationAddresses", firewall_address, (),
                                        doc="destinations by address; this or destinationFqdns"),
        # A network rule matches a name exactly: "FQDN filtering in network rules doesn't support wildcards by
        # design" (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules), so `*.x` would match
        # nothing and is refused here.
        destination_fqdns=obj.items("destinationFqdns", string_item(
            r"[A-Za-z0-9][A-Za-z0-9.-]*", "a host name such as ntp.ubuntu.com, without wildcards (a network "
            "rule matches names exactly: list each host)"), (),
                                    doc="destinations by name (needs the DNS proxy)"),
        ports=obj.items("ports", firewall_port, min_items=1, doc="destination ports"),
    )
    # A destination given but refused is reported at its own key: asking for one too would say it twice.
    given = any(obj.data.get(key) for key in ("destinationAddresses", "destinationFqdns"))
    if not rule.destination_addresses and not rule.destination_fqdns and not given:
        obj.problems.add(obj.path, "needs destinationAddresses or destinationFqdns")
    return rule


def _dnat_rule(obj: Obj) -> DnatRule | None:
    address = obj.address("translatedAddress", doc="where the firewall sends it")
    rule = DnatRule(
        name=obj.text("name", pattern=RULE_NAME_PATTERN, hint=RULE_NAME_HINT, doc="the rule's name"),
        protocol=obj.choice("protocol", ("TCP", "UDP"), "TCP", doc="the protocol"),
        port=obj.whole("port", minimum=1, maximum=65535, doc="the port on the firewall's public address"),
        translated_address=address or ipaddress.IPv4Address("0.0.0.0"),
        translated_port=obj.whole("translatedPort", minimum=1, maximum=65535, doc="the port it is sent to"),
    )
    return rule if address is not None else None


def basic_sku_refusals(fw: FirewallSpec) -> list[tuple[str, str]]:
    """What the Basic SKU lacks that the firewall asks for, as (its key path, why):
    no threat-intelligence Deny and no DNS proxy (https://learn.microsoft.com/azure/firewall/basic-features).
    One list for the spoke's and the hub's stack files."""
    if fw.sku != "Basic":
        return []
    refusals = []
    if fw.threat_intel_mode == "Deny":
        refusals.append(("egress.firewall.threatIntelMode",
                         "Deny is not available on the Basic SKU; use Alert, or sku Standard"))
    if fw.dns_proxy:
        refusals.append(("egress.firewall.dnsProxy", "the Basic SKU has no DNS proxy; set false, or sku Standard"))
    return refusals


def read_egress(obj: Obj) -> EgressSpec:
    fw = obj.nested("firewall",
                    doc="Azure Firewall with a Firewall Policy; absent when egress is the load balancer or a NAT "
                        "gateway")
    obj.done()
    if fw is None or not fw.valid:
        return EgressSpec()
    sku = fw.choice("sku", FIREWALL_SKUS, "Standard", doc="Basic needs `AzureFirewallManagementSubnet`")
    basic = sku == "Basic"  # Basic has threat intelligence in Alert mode only and no DNS proxy
    spec = FirewallSpec(
        sku=sku,
        threat_intel_mode=fw.choice("threatIntelMode", THREAT_INTEL_MODES, "Alert" if basic else "Deny",
                                    doc="threat intelligence",
                                    default_doc="Deny (Alert on Basic)"),
        zones=fw.items("zones", zone_item, (), max_items=3, doc="also the zones of its public IPs and Bastion's"),
        public_ip_count=fw.whole("publicIpCount", 1, minimum=1, maximum=250, doc="SNAT port headroom"),
        dns_proxy=fw.flag("dnsProxy", not basic,
                          doc="needed for FQDNs in network rules",
                          default_doc="true (false on Basic)"),
        allowed_fqdns=fw.items("allowedFqdns", string_item(FQDN, FQDN_HINT), (),
                               doc="extra HTTPS destinations of the whole cluster (a flow's `to: {fqdn}` is narrower)"),
        network_rules=fw.records("networkRules", _network_rule, doc="extra network rules of the cluster"),
        dnat_rules=fw.records("dnatRules", _dnat_rule, doc="publish a service through the firewall"),
    )
    fw.done()
    return EgressSpec(firewall=spec)
