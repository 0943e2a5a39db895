"""The hub's outputs as its spokes read them: one typed, versioned contract, written and read here only.
Pure, no Pulumi.

The hub exports one output, `landingZoneHub` (`CONTRACT_OUTPUT`), a mapping written by
`HubContract.as_output`; a spoke reads it through a StackReference (or takes a brownfield hub's
resource ids in the same names from its stack file) with `read_contract`, which refuses a hub
whose contract lost or renamed a field the spoke reads, naming both stacks. A field is only ever
added to a version; removing or renaming one is a new `CONTRACT_VERSION`, and spokes say which
versions they read (`READ_VERSIONS`), so a hub change that would break them is refused before
any spoke deploys.
https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CONTRACT_OUTPUT = "landingZoneHub"
CONTRACT_VERSION = 1
READ_VERSIONS = (1,)
"""The contract versions this program's spokes read."""

FIELDS: Mapping[str, str] = {
    "version": "the contract's version",
    "location": "the hub's Azure region",
    "resourceGroupName": "the hub VNet's resource group",
    "vnetId": "the hub VNet's resource id",
    "vnetName": "the hub VNet's name",
    "addressSpace": "the hub VNet's address prefixes",
    "firewallPrivateIp": "the firewall's private address: the spokes' next hop",
    "firewallPolicyId": "the firewall policy the spokes' rule collection groups join",
    "dnsProxy": "whether the firewall answers DNS (its DNS proxy)",
    "dnsZoneIds": "private DNS zone name to its resource id",
}
"""Every field of the contract and what it holds: the hub writes each, a spoke reads each."""
OPTIONAL = {"dnsResolverAddress": "the DNS Private Resolver's inbound address, when the hub has one"}

ARM_ID = re.compile(r"/subscriptions/[^/]+/resourceGroups/(?P<group>[^/]+)/providers/(?P<provider>[^/]+)/"
                    r"(?P<kind>[^/]+)/(?P<name>[^/]+)$", re.IGNORECASE)


class ContractError(Exception):
    """The hub's outputs do not hold the contract a spoke reads; `str()` is one line naming both stacks."""


@dataclass(frozen=True)
class HubContract:
    location: str
    resource_group_name: str
    vnet_id: str
    vnet_name: str
    address_space: tuple[str, ...]
    firewall_private_ip: str
    firewall_policy_id: str
    dns_proxy: bool
    dns_zone_ids: Mapping[str, str] = field(default_factory=dict)
    dns_resolver_address: str | None = None
    version: int = CONTRACT_VERSION

    def as_output(self) -> dict[str, Any]:
        """The hub's `landingZoneHub` output."""
        document: dict[str, Any] = {
            "version": self.version, "location": self.location, "resourceGroupName": self.resource_group_name,
            "vnetId": self.vnet_id, "vnetName": self.vnet_name, "addressSpace": list(self.address_space),
            "firewallPrivateIp": self.firewall_private_ip, "firewallPolicyId": self.firewall_policy_id,
            "dnsProxy": self.dns_proxy, "dnsZoneIds": dict(self.dns_zone_ids)}
        if self.dns_resolver_address is not None:
            document["dnsResolverAddress"] = self.dns_resolver_address
        return document

    @property
    def firewall_policy_group(self) -> str:
        return _arm_part(self.firewall_policy_id, "group")

    @property
    def firewall_policy_name(self) -> str:
        return _arm_part(self.firewall_policy_id, "name")

    def zone_group(self, zone: str) -> str:
        """The resource group of one of the hub's private zones (where the spoke's link to it goes)."""
        return _arm_part(self.dns_zone_ids[zone], "group")


def _arm_part(resource_id: str, part: str) -> str:
    match = ARM_ID.search(resource_id)
    if match is None:
        raise ContractError(f"{resource_id!r} is not an Azure resource id")
    return match.group(part)


def read_contract(outputs: Mapping[str, Any] | None, hub: str, spoke: str) -> HubContract:
    """The contract in a hub's `landingZoneHub` output (or a brownfield hub's ids), or `ContractError`
    naming the hub (`hub`: its stack or `landingZone.hub`) and the spoke that reads it."""
    where = f"spoke {spoke} reads hub {hub}"
    if not isinstance(outputs, Mapping):
        raise ContractError(f"{where}: the hub exports no {CONTRACT_OUTPUT} output; deploy the hub first, "
                            "with a version of this program that writes the contract")
    version = outputs.get("version")
    if version not in READ_VERSIONS:
        raise ContractError(f"{where}: contract version {version!r}, but this spoke reads versions "
                            f"{', '.join(map(str, READ_VERSIONS))}; update the spoke before the hub changes "
                            "its contract")
    missing = [name for name in FIELDS if name not in outputs]
    unknown = [name for name in outputs if name not in FIELDS and name not in OPTIONAL]
    if missing:
        hint = f" (renamed to {', '.join(unknown)}?)" if unknown else ""
        raise ContractError(f"{where}: the contract lacks {', '.join(missing)}{hint}; a version-{version} hub "
                            "must export every field, so this hub change would break the spoke")
    if unknown:
        raise ContractError(f"{where}: the contract holds unknown fields {', '.join(unknown)}; known: "
                            f"{', '.join([*FIELDS, *OPTIONAL])}")
    zones = outputs["dnsZoneIds"]
    space = outputs["addressSpace"]
    if not isinstance(zones, Mapping) or not isinstance(space, list | tuple):
        raise ContractError(f"{where}: dnsZoneIds must map zone names to ids and addressSpace list prefixes")
    try:
        ipaddress.IPv4Address(str(outputs["firewallPrivateIp"]))
    except ValueError:
        raise ContractError(f"{where}: firewallPrivateIp {outputs['firewallPrivateIp']!r} is not an IPv4 address; "
                            "expected the firewall's private address, the spoke's next hop") from None
    try:
        prefixes = tuple(str(ipaddress.IPv4Network(str(p))) for p in space)
    except ValueError as error:
        raise ContractError(f"{where}: addressSpace: {error}; expected IPv4 CIDRs with host bits zero") from None
    contract = HubContract(
        location=str(outputs["location"]), resource_group_name=str(outputs["resourceGroupName"]),
        vnet_id=str(outputs["vnetId"]), vnet_name=str(outputs["vnetName"]), address_space=prefixes,
        firewall_private_ip=str(outputs["firewallPrivateIp"]), firewall_policy_id=str(outputs["firewallPolicyId"]),
        dns_proxy=bool(outputs["dnsProxy"]), dns_zone_ids={str(k): str(v) for k, v in zones.items()},
        dns_resolver_address=None if outputs.get("dnsResolverAddress") is None
        else str(outputs["dnsResolverAddress"]), version=int(version))
    ids = {"vnetId": contract.vnet_id, "firewallPolicyId": contract.firewall_policy_id,
           **{f"dnsZoneIds.{zone}": zone_id for zone, zone_id in contract.dns_zone_ids.items()}}
    for name, resource_id in ids.items():
        try:
            _arm_part(resource_id, "name")
        except ContractError as error:
            raise ContractError(f"{where}: {name}: {error}; expected /subscriptions/<id>/resourceGroups/<group>/"
                                "providers/<namespace>/<type>/<name>") from None
    return contract
