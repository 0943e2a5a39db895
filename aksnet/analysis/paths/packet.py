"""The packet the path model walks, and what addresses and service tags mean to it. Pure, no Pulumi."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from aksnet.vocabulary import PRIVATE_RANGES

IPv4 = ipaddress.IPv4Address
Net = ipaddress.IPv4Network
INTERNET_ADDRESS = IPv4("198.51.100.10")
"""Where "the internet" stands in a path: an address of TEST-NET-2 (RFC 5737), public and nobody's."""
FIREWALL_PUBLIC_ADDRESS = IPv4("192.0.2.250")
"""Stands for the firewall's first public address (TEST-NET-1, RFC 5737) until Azure assigns it."""
PUBLIC_FRONTEND = IPv4("192.0.2.100")
"""Stands for a public load balancer's frontend address (TEST-NET-1, RFC 5737)."""
AZURE_PLATFORM = IPv4("168.63.129.16")
"""The AzureLoadBalancer tag's address: Azure's health probes come from it."""
PRIVATE = tuple(Net(r) for r in PRIVATE_RANGES)


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
            # The tag covers the host's virtual IP too (service-tags-overview: "the virtual IP address of the host").
            return address == AZURE_PLATFORM or any(address in n for n in self.virtual_network)
        if prefix == "Internet":
            return not any(address in n for n in (*self.virtual_network, *PRIVATE)) and address != AZURE_PLATFORM
        if prefix == "AzureLoadBalancer":
            return address == AZURE_PLATFORM
        if prefix[:1].isdigit():
            return address in parse_prefix(prefix)
        return False

