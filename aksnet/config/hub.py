"""A hub stack of a landing zone (`landingZone.role: hub`): its shared network alone. Pure, no Pulumi.

The hub's stack file keeps the stack schema's sections, fewer of them: `environment`, `network`
(`hub`, `bastion`, `dnsResolver`, `onPremises`; no `spoke`: spokes are stacks of their own),
`egress.firewall` (the firewall and its policy, on which each spoke writes its own rule collection
group) and `landingZone`. The hub's program is `hub/__main__.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aksnet.config.egress import basic_sku_refusals, read_egress
from aksnet.config.environment import read_environment, read_location, zones_refusal
from aksnet.config.landing_zone import LandingZoneSpec, read_landing_zone
from aksnet.config.model import Environment, FirewallSpec, VNetSpec
from aksnet.config.network import HUB_SUBNETS, _vnet, cidr_item, resolver_subnet_refusals
from aksnet.config.problems import ConfigError
from aksnet.config.schema import Network4, Obj, Problems
from aksnet.vocabulary import NS

HUB_SECTIONS = ("environment", "network", "egress", "landingZone")


@dataclass(frozen=True)
class HubStackConfig:
    environment: Environment
    hub: VNetSpec
    firewall: FirewallSpec
    landing_zone: LandingZoneSpec
    bastion: bool = True
    dns_resolver: bool = False
    on_premises: tuple[Network4, ...] = ()


def load_hub_spec(config: Mapping[str, object], stack: str) -> HubStackConfig:
    """Read and check a hub's stack file; `ConfigError` with every problem at once."""
    from aksnet.config.stack import decode_value
    problems = Problems()
    for key in config:
        namespace, _, name = key.partition(":")
        if namespace == NS and name not in HUB_SECTIONS:
            problems.add(key, f"is not a key of a hub's stack; a hub holds {', '.join(HUB_SECTIONS)} "
                         "(the cluster and its workloads belong to a spoke's stack)")

    def section(name: str) -> Obj:
        return Obj(problems, f"{NS}:{name}", decode_value(config.get(f"{NS}:{name}")))

    location = read_location(problems, config.get("azure-native:location"))
    environment = read_environment(section("environment"), stack, location)
    landing_zone = read_landing_zone(section("landingZone"), stack)
    network = section("network")
    hub_obj = network.nested("hub", required=True)
    bastion = network.flag("bastion", True)
    dns_resolver = network.flag("dnsResolver", False)
    on_premises = network.items("onPremises", cidr_item, (), max_items=500)
    network.done()
    hub = _vnet(hub_obj, "hub", HUB_SUBNETS) if hub_obj is not None else None
    firewall = read_egress(section("egress")).firewall
    if firewall is None:
        problems.add(f"{NS}:egress.firewall", "is required in a hub: the spokes route through it")
    for key, message in basic_sku_refusals(firewall) if firewall is not None else ():
        problems.add(f"{NS}:{key}", message)
    zoneless = zones_refusal(location)
    if firewall is not None and firewall.zones and zoneless is not None:
        # The hub's Bastion takes the firewall's zones too (hub/__main__.py).
        problems.add(f"{NS}:egress.firewall.zones", zoneless)
    if landing_zone.role != "hub":
        problems.add(f"{NS}:landingZone.role", f"is {landing_zone.role}, but hub/__main__.py builds hubs; "
                     "set role hub, or deploy this stack from the repository's root")
    if hub is not None:
        _check_hub_subnets(problems, hub, firewall, bastion, dns_resolver)
    if problems or hub is None or firewall is None:
        raise ConfigError(list(problems.items))
    return HubStackConfig(environment, hub, firewall, landing_zone, bastion, dns_resolver, on_premises)


def _check_hub_subnets(problems: Problems, hub: VNetSpec, firewall: FirewallSpec | None, bastion: bool,
                       dns_resolver: bool) -> None:
    """The subnets Azure requires by name and size, inside the hub's range and apart.
    https://learn.microsoft.com/azure/firewall/firewall-faq#why-does-azure-firewall-need-a--26-subnet-size,
    https://learn.microsoft.com/azure/bastion/configuration-settings#subnet"""
    path = f"{NS}:network.hub.subnets"
    needed = {"AzureFirewallSubnet": (firewall is not None, 26), "AzureBastionSubnet": (bastion, 26),
              "dns": (dns_resolver, 28)}
    if firewall is not None and firewall.sku == "Basic":
        needed["AzureFirewallManagementSubnet"] = (True, 26)
    for name, (wanted, largest_prefix) in needed.items():
        prefix = hub.subnets.get(name)
        if wanted and prefix is None:
            problems.add(f"{path}.{name}", f"is required: a /{largest_prefix} or larger")
        elif prefix is not None and prefix.prefixlen > largest_prefix:
            problems.add(f"{path}.{name}", f"is {prefix}, a /{prefix.prefixlen}; Azure needs a /{largest_prefix} "
                         "or larger")
    for message in resolver_subnet_refusals(hub.subnets.get("dns"), dns_resolver):
        problems.add(f"{path}.dns", message)
    subnets = list(hub.subnets.items())
    for index, (name, prefix) in enumerate(subnets):
        if not any(prefix.subnet_of(space) for space in hub.address_space):
            problems.add(f"{path}.{name}", f"{prefix} is outside the hub's addressSpace")
        for other, theirs in subnets[:index]:
            if prefix.overlaps(theirs):
                problems.add(f"{path}.{name}", f"{prefix} overlaps {other} ({theirs})")
