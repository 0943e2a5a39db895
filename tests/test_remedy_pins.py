"""The remedies inside refusals, written back, are accepted; the reader's generic messages name the right
key path and the right allowed values (issue 27).

A refusal that suggests a value ("use calico", "set private true", "e.g. 192.168.0.0/16") is only a remedy
when that value, written at the key path the refusal names, is accepted; a suggestion that is itself
refused sends the user round again, and every other test stays green. Each REMEDIES row varies a
committed stack file in one place, takes the value the refusal suggests out of its message, writes it back
and asserts the refusal is gone from that key path. The page beside each row says why the suggested value
is a valid one (expected outcomes from it, never from our code). The SCHEMA rows hold the generic
messages of `aksnet.config.schema` (unknown keys, choices, bounds, CIDRs) to the path and the values they
must name. Pure readers and rules only: no program run under the mock engine.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import pytest

from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from tests.stacks import DELETE, load, variant
from tests.test_message_pins import _DROP

C = "aks-networking:"


@functools.cache
def _committed(stack: str) -> dict[str, Any]:
    return load(stack)  # variant() copies before it changes anything


def refused(stack: str, changes: dict[str, Any]) -> list[tuple[str, str]]:
    """(key path, message) of every problem the stack, varied by key path, is refused for; [] when it loads
    (advisory findings are not refusals: a stack with them deploys)."""
    config = variant(_committed(stack), {k if ":" in k else f"{C}{k}": DELETE if v == _DROP else v
                                   for k, v in changes.items()})
    try:
        load_stack(config, stack)
    except ConfigError as refusal:
        return [(p.path.removeprefix(C), p.message) for p in refusal.problems]
    return []

# id: (stack, changes by key path, key path refused, pattern whose groups are the suggested values,
#      key path each group is written back at (one row of alternatives), page that makes the value valid)
Remedy = tuple[str, dict[str, Any], str, str, tuple[str, ...], str]
NETWORK_POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"
CILIUM = "https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium"
OVERLAY = "https://learn.microsoft.com/azure/aks/azure-cni-overlay"
PRIVATE = "https://learn.microsoft.com/azure/aks/private-clusters"
FIREWALL_BASIC = "https://learn.microsoft.com/azure/firewall/basic-features"
EGRESS = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
APP_ROUTING = "https://learn.microsoft.com/azure/aks/app-routing"
AGIC_OVERLAY = "https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview"
VERSIONS = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"
UPGRADE = "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster#cluster-auto-upgrade-channels"
IP_PLANNING = "https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning"
AGC = "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"

REMEDIES: dict[str, Remedy] = {
    # Azure NPM needs Azure CNI; Calico runs on kubenet and on Azure CNI.
    "azure npm on kubenet": (
        "dev", {"cluster.networkPolicy": "azure"}, "cluster.networkPolicy",
        r"use (\w+), or networkPlugin (\w+)", ("cluster.networkPolicy", "cluster.networkPlugin"), NETWORK_POLICIES),
    # With networkPlugin none (bring your own CNI), AKS installs no policy engine: networkPolicy none.
    "policy engine on a bring-your-own CNI": (
        "dev", {"cluster.networkPlugin": "none", "cluster.podCidr": _DROP}, "cluster.networkPolicy",
        r"set (\w+) and install", ("cluster.networkPolicy",),
        "https://learn.microsoft.com/azure/aks/use-byo-cni"),
    # The Cilium dataplane enforces NetworkPolicies itself: networkPolicy cilium, nothing else.
    "calico beside the cilium dataplane": (
        "prod", {"cluster.networkPolicy": "calico"}, "cluster.networkPolicy", r"; use (\w+)$",
        ("cluster.networkPolicy",), CILIUM),
    "no policy beside the cilium dataplane": (
        "prod", {"cluster.networkPolicy": "none"}, "cluster.networkPolicy", r"; set (\w+)$",
        ("cluster.networkPolicy",), CILIUM),
    # A flat Azure CNI cluster takes no pod CIDR; Overlay takes one.
    "pod cidr on flat azure cni": (
        "prod", {"cluster.networkPluginMode": _DROP, "cluster.networkDataplane": "azure",
                 "cluster.networkPolicy": "calico"}, "cluster.podCidr", r"set networkPluginMode (\w+)",
        ("cluster.networkPluginMode",), OVERLAY),
    # A private DNS zone of our own in the hub is for a private API server.
    "hub zone on a public API server": (
        "prod", {"cluster.private": False}, "cluster.privateDnsZone", r"set private (true)", ("cluster.private",),
        PRIVATE),
    # Without a hub, AKS can make the private zone itself: privateDNSZone system.
    "hub zone without a hub": (
        "dev", {"cluster.private": True, "cluster.privateDnsZone": "hub", "cluster.authorizedIpRanges": _DROP},
        "cluster.privateDnsZone", r"use (\w+), or declare", ("cluster.privateDnsZone",), PRIVATE),
    # Authorized IP ranges apply to a public API server only.
    "authorized ranges on a private API server": (
        "dev", {"cluster.private": True}, "cluster.authorizedIpRanges", r"set private (false)",
        ("cluster.private",), "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"),
    # Local accounts can be disabled only with Entra ID; with them on, nothing else is needed.
    "local accounts off without Entra ID": (
        "dev", {"cluster.localAccounts": False, "cluster.entraId": {"enabled": False}}, "cluster.localAccounts",
        r"set localAccounts (true)", ("cluster.localAccounts",),
        "https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad"),
    # Pod security comes through the Azure Policy add-on.
    "pod security without azure policy": (
        "dev", {"cluster.podSecurity": {"initiative": "baseline"}}, "cluster.podSecurity",
        r"set azurePolicy (true)", ("cluster.azurePolicy",), "https://learn.microsoft.com/azure/aks/use-azure-policy"),
    # YAML reads an unquoted 1.35 as a number; the quoted minor it suggests must be one AKS creates today.
    "kubernetes version as a number": (
        "dev", {"cluster.kubernetesVersion": 1.35}, "cluster.kubernetesVersion", r'e\.g\. "([\d.]+)"',
        ("cluster.kubernetesVersion",), VERSIONS),
    # A minor out of support, or not yet GA: the refusal lists the minors AKS creates today.
    "kubernetes minor out of support": (
        "dev", {"cluster.kubernetesVersion": "1.29"}, "cluster.kubernetesVersion",
        r"AKS creates ([\d., ]+) today", ("cluster.kubernetesVersion",), VERSIONS),
    "kubernetes minor past its end": (
        "dev", {"cluster.kubernetesVersion": "1.31"}, "cluster.kubernetesVersion", r"creates today: ([\d., ]+)$",
        ("cluster.kubernetesVersion",), VERSIONS),
    # A patch pin holds only on a channel that never moves the version: none or node-image.
    "patch pin with patch upgrades": (
        "dev", {"cluster.kubernetesVersion": "1.36.1"}, "cluster.kubernetesVersion",
        r"set upgradeChannel (\S+) or (\S+)$", ("cluster.upgradeChannel", "cluster.upgradeChannel"), UPGRADE),
    # The Basic firewall: threat intelligence in Alert mode only, no DNS proxy; Standard has both.
    "basic firewall with threat-intel Deny": (
        "prod", {"egress.firewall.sku": "Basic"}, "egress.firewall.threatIntelMode", r"use (\w+), or sku (\w+)",
        ("egress.firewall.threatIntelMode", "egress.firewall.sku"), FIREWALL_BASIC),
    "basic firewall with DNS proxy": (
        "prod", {"egress.firewall.sku": "Basic", "egress.firewall.threatIntelMode": "Alert",
                 "egress.firewall.dnsProxy": True}, "egress.firewall.dnsProxy", r"set (false), or sku (\w+)",
        ("egress.firewall.dnsProxy", "egress.firewall.sku"), FIREWALL_BASIC),
    # FQDNs in network rules need the DNS proxy on.
    "fqdn network rule without the DNS proxy": (
        "prod", {"egress.firewall.dnsProxy": False, "egress.firewall.networkRules": [
            {"name": "ntp", "protocols": ["UDP"], "destinationFqdns": ["ntp.ubuntu.com"], "ports": [123]}]},
        "egress.firewall.networkRules[0].destinationFqdns", r"set (egress\.firewall\.dnsProxy) (true)", ("@1",),
        "https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules"),
    # A firewall carries the cluster's egress only with outboundType userDefinedRouting.
    "firewall with load balancer egress": (
        "prod", {"cluster.outboundType": "loadBalancer"}, "egress.firewall", r"set outboundType (\w+)",
        ("cluster.outboundType",), EGRESS),
    # On a VNet of our own, the NAT gateway is a user-assigned one.
    "managed NAT gateway on our own VNet": (
        "dev", {"cluster.outboundType": "managedNATGateway"}, "cluster.outboundType", r"use (\w+),",
        ("cluster.outboundType",), "https://learn.microsoft.com/azure/aks/nat-gateway"),
    # Bastion needs AzureBastionSubnet, or no Bastion.
    "bastion without its subnet": (
        "prod", {"network.hub.subnets.AzureBastionSubnet": _DROP}, "network.bastion",
        r"set (network\.bastion) (false)", ("@1",), "https://learn.microsoft.com/azure/bastion/configuration-settings"),
    # An ingress block is for the controller chosen.
    "appGateway block under another controller": (
        "prod", {"ingress.controller": "envoyGateway"}, "ingress.appGateway", r"set controller (\w+)",
        ("ingress.controller",), AGIC_OVERLAY),
    "nginx block under another controller": (
        "dev", {"ingress.nginx": {"visibility": "public"}}, "ingress.nginx", r"set controller (\w+)",
        ("ingress.controller",), APP_ROUTING),
    # AGIC with kubenet shares the cluster's route table with its subnet: no appliance default route there.
    "agic on kubenet with userDefinedRouting": (
        "dev", {"environment.production": True, "ingress.controller": "appgw", "network.spoke.subnets.appgw":
                "192.168.3.0/24", "cluster.outboundType": "userDefinedRouting", "cluster.egressNextHopIp": "192.168.1.4"},
        "ingress.controller", r"use Azure CNI or (\w+)$", ("ingress.controller",),
        "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure"),
    # AGIC cannot reach Overlay pods in Azure Government; nginx can.
    "agic on overlay in Azure Government": (
        "prod", {"azure-native:location": "usgovvirginia"}, "ingress.controller", r"use (\w+), or",
        ("ingress.controller",), AGIC_OVERLAY),
    # AGC's delegated subnet is for the agc controller.
    "agc subnet under another controller": (
        "prod", {"network.spoke.subnets.agc": "10.240.8.0/24", "ingress.appGateway": _DROP},
        "network.spoke.subnets.agc",
        r"set controller (\w+)", ("ingress.controller",), AGC),
    # AGC's ALB Controller authenticates through workload identity.
    "agc without workload identity": (
        "prod", {"ingress.controller": "agc", "ingress.appGateway": _DROP, "network.spoke.subnets.agc": "10.240.8.0/24",
                 "cluster.workloadIdentity": False}, "cluster.workloadIdentity", r"set it (true)",
        ("cluster.workloadIdentity",), "https://learn.microsoft.com/azure/application-gateway/for-containers/"
        "quickstart-deploy-application-gateway-for-containers-alb-controller"),
    # An Overlay pod CIDR: RFC 1918 or RFC 6598 (100.64.0.0/10).
    "overlay pod cidr outside the private ranges": (
        "prod", {"cluster.podCidr": "11.0.0.0/16"}, "cluster.podCidr", r"e\.g\. (\S+) or (\S+)$",
        ("cluster.podCidr", "cluster.podCidr"), OVERLAY),
    # A service CIDR smaller than /12, outside every routed range and the ranges AKS reserves.
    "service cidr overlapping the VNet": (
        "dev", {"cluster.serviceCidr": "192.168.0.0/16", "cluster.dnsServiceIp": "192.168.0.10"},
        "cluster.serviceCidr", r"e\.g\. (\S+)$", ("cluster.serviceCidr",),
        "https://learn.microsoft.com/azure/aks/configure-kubenet"),
    "service cidr of a /12": (
        "dev", {"cluster.serviceCidr": "10.0.0.0/12"}, "cluster.serviceCidr", r"e\.g\. (\S+)$",
        ("cluster.serviceCidr",), "https://learn.microsoft.com/azure/aks/configure-kubenet"),
    # The cluster DNS address lies inside the service CIDR.
    "dns address outside the service cidr": (
        "dev", {"cluster.dnsServiceIp": "10.1.0.10"}, "cluster.dnsServiceIp", r"such as (\S+)$",
        ("cluster.dnsServiceIp",), "https://learn.microsoft.com/azure/aks/configure-kubenet"),
    # A static internal load balancer address is a usable one of the ILB subnet (Azure keeps the first four
    # and the last of every subnet).
    "ilb address on a reserved address": (
        "dev", {"kubernetes.apps[3].staticIp": "192.168.2.3"}, "kubernetes.apps[3].staticIp",
        r"use one from (\S+) to (\S+)$", ("kubernetes.apps[3].staticIp",) * 2,
        "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets"),
    "ilb address on the broadcast address": (
        "dev", {"kubernetes.apps[3].staticIp": "192.168.2.255"}, "kubernetes.apps[3].staticIp",
        r"use one from (\S+) to (\S+)$", ("kubernetes.apps[3].staticIp",) * 2,
        "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets"),
    # Flat Azure CNI: the node subnet holds (nodes + surge) * (maxPods + 1) addresses.
    "flat azure cni node subnet too small": (
        "prod", {"cluster.networkPluginMode": _DROP, "cluster.networkDataplane": "azure",
                 "cluster.networkPolicy": "calico", "cluster.podCidr": _DROP,
                 "network.spoke.subnets.nodes": "10.240.0.0/25"}, "network.spoke.subnets.nodes",
        r"use a /(\d+) or larger", ("/network.spoke.subnets.nodes",), IP_PLANNING),
}


def _written(text: str | None) -> Any:
    """A suggested value as a stack file would hold it."""
    return {"true": True, "false": False}.get(text, text) if text is not None else None


def _resized(changes: dict[str, Any], key: str, prefix: str) -> str:
    """The subnet the row varied, at the prefix length a refusal suggests."""
    import ipaddress
    return str(ipaddress.ip_network(f"{changes[key].split('/')[0]}/{prefix}", strict=False))


@pytest.mark.parametrize("case", REMEDIES)
def test_a_suggested_remedy_written_back_is_accepted(case: str) -> None:
    stack, changes, path, pattern, keys, _source = REMEDIES[case]
    told = [m for p, m in refused(stack, changes) if p == path]
    assert len(told) == 1, (path, refused(stack, changes))
    match = re.search(pattern, told[0])
    assert match, (pattern, told[0])
    written = 0
    for index, key in enumerate(keys, start=1):
        value = match.group(index) if not key.startswith("@") else match.group(int(key[1:]) + 1)
        if key.startswith("@"):
            key = match.group(int(key[1:]))
        if value is None:
            continue
        if key.startswith("/"):  # a prefix length for the subnet at that key path
            key = key[1:]
            value = _resized(changes, key, value)
        for one in value.split(", "):  # a list of values, each a remedy of its own
            again = refused(stack, {**changes, key: _written(one)})
            assert not [m for p, m in again if p in (path, key)], (key, one, again)
            written += 1
    assert written, told[0]


# A refusal that lists the ingress controllers to choose from: (stack, changes, key path refused, source). Each
# controller it names must be one the reader takes and not past its announced end of support (the application
# routing add-on's NGINX ended on 2026-11-30: production refuses it, so naming it sends a user round again).
CONTROLLER_LISTS: dict[str, tuple[str, dict[str, Any], str, str]] = {
    "ingresses without a controller": ("prod", {"ingress.controller": "none", "ingress.appGateway": _DROP},
                                       "kubernetes.ingresses", APP_ROUTING),
    "a flow from no controller": (
        "dev", {"ingress.controller": "none", "kubernetes.ingresses": _DROP,
                "kubernetes.flows[2].from": {"ingressController": True}},
        "kubernetes.flows[2].from.ingressController", APP_ROUTING),
    "agic on overlay in Azure Government": ("prod", {"azure-native:location": "usgovvirginia"}, "ingress.controller",
                                            AGIC_OVERLAY),
    "agic on kubenet with userDefinedRouting": (
        "dev", {"ingress.controller": "appgw", "network.spoke.subnets.appgw": "192.168.3.0/24",
                "cluster.outboundType": "userDefinedRouting", "cluster.egressNextHopIp": "192.168.1.4"},
        "ingress.controller", "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure"),
}


@pytest.mark.parametrize("case", CONTROLLER_LISTS)
def test_each_ingress_controller_a_refusal_suggests_is_supported_today(case: str) -> None:
    import dataclasses

    from aksnet.config.ingress import INGRESS_CONTROLLERS
    from aksnet.config.stack import load_spec
    from aksnet.rules.lifecycle import past_end
    from tests.pinned_day import PINNED_DAY
    stack, changes, path, _source = CONTROLLER_LISTS[case]
    told = [m for p, m in refused(stack, changes) if p == path]
    assert len(told) == 1, (path, refused(stack, changes))
    named = [c for c in INGRESS_CONTROLLERS if c != "none" and re.search(rf"\b{c}\b", told[0])]
    assert named, told[0]
    spec = load_spec(load("prod"), "prod")
    for controller in named:
        chosen = dataclasses.replace(spec, ingress=dataclasses.replace(spec.ingress, controller=controller))
        assert not list(past_end(chosen, PINNED_DAY)), (controller, told[0])
