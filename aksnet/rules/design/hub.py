"""The hub's own resources: its management lock and its DNS Private Resolver. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.network import resolver_subnet_refusals
from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.rule import Rule, RuleBook

book = RuleBook()


@book.refusal("hub-lock-needs-a-hub", "A hub lock needs a hub.",
              "https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources")
def hub_lock_needs_a_hub(spec: StackConfig) -> Iterator[Problem]:
    if spec.environment.lock_hub and spec.network.hub is None:
        yield Problem.at("environment.lockHub", "is true but the stack has no hub (network.hub); remove it")


@book.refusal("dns-resolver-has-its-subnet", "A DNS Private Resolver and its hub subnet go together.",
              "https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions")
def dns_resolver_has_its_subnet(spec: StackConfig) -> Iterator[Problem]:
    network = spec.network
    subnet = network.hub.subnets.get("dns") if network.hub is not None else None
    if network.dns_resolver and subnet is None:
        yield Problem.at("network.dnsResolver", "needs a hub (network.hub) with a subnet for its inbound "
                         "endpoint (network.hub.subnets.dns, /28 to /24)")
    for message in resolver_subnet_refusals(subnet, network.dns_resolver):
        yield Problem.at("network.hub.subnets.dns", message)


RULES: tuple[Rule, ...] = tuple(book.rules)
