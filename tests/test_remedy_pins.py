"""The remedies inside refusals, written back, are accepted; the reader's generic messages name the right
key path and the right allowed values (issue 27).

A refusal that suggests a value ("use calico", "set private true", "e.g. 192.168.0.0/16") is only a remedy
when that value, written at the key path the refusal names, is accepted; a suggestion that is itself
refused sends the user round again, and every other test stays green. Each REMEDIES row varies a
committed stack file in one place, takes the value the refusal suggests out of its message, writes it back
and asserts nothing is refused any more at the refused key path or at the key written. The page beside each
row says why the suggested value is a valid one (expected outcomes from it, never from our code). The
TYPOS, BOUNDS, ITEM_LIMITS and CHOICES rows hold the generic messages of `aksnet.config.schema` (unknown
keys, namespaces, did-you-means, ranges, list limits, allowed values) to the key path and the names or bounds
they must give. Pure readers and rules only: no program run under the mock engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from tests.stacks import DELETE, committed, load, variant
from tests.test_message_pins import _DROP

C = "aks-networking:"


_committed = committed  # read once, shared: `variant` copies it before changing anything


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
        "ingress.controller", r"use Azure CNI, or (\w+)$", ("ingress.controller",),
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
    # Azure refuses a VNet range among the ones it keeps (link-local, loopback, multicast...); RFC 1918 is fine.
    "vnet range azure keeps": (
        "dev", {"network.spoke.addressSpace": ["169.254.0.0/16"]}, "network.spoke.addressSpace[0]",
        r"such as (\S+)$", ("network.spoke.addressSpace[0]",),
        "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#what-address-ranges-can-i-use-in-my-vnets"),
    # The reader's own examples: a value of the wrong form is told one of the right form, which is accepted.
    "cidr without a prefix length": (
        "dev", {"cluster.podCidr": "10.244.0.0"}, "cluster.podCidr", r"such as (\S+)$",
        ("cluster.podCidr",), "https://datatracker.ietf.org/doc/html/rfc4632#section-3.1"),
    "cidr that does not parse": (
        "dev", {"cluster.podCidr": "10.244.0.0/33"}, "cluster.podCidr", r"expected the form (\S+)$",
        ("cluster.podCidr",), "https://datatracker.ietf.org/doc/html/rfc4632#section-3.1"),
    "cidr with host bits": (
        "dev", {"network.spoke.subnets.ilb": "192.168.2.1/24"}, "network.spoke.subnets.ilb", r"the network is (\S+)$",
        ("network.spoke.subnets.ilb",), "https://learn.microsoft.com/rest/api/virtualnetwork/subnets/create-or-update"),
    "address that does not parse": (
        "dev", {"cluster.dnsServiceIp": "10.0.0"}, "cluster.dnsServiceIp", r"expected the form (\S+)$",
        ("cluster.dnsServiceIp",), "https://learn.microsoft.com/azure/aks/configure-kubenet"),
    "address given as a number": (
        "dev", {"cluster.dnsServiceIp": 10}, "cluster.dnsServiceIp", r"such as (\S+)$", ("cluster.dnsServiceIp",),
        "https://learn.microsoft.com/azure/aks/configure-kubenet"),
    # Availability zones are 1, 2 and 3 (westeurope has all three).
    "zone 4": (
        "dev", {"cluster.nodePools[0].zones": [4]}, "cluster.nodePools[0].zones[0]", r"expected (\d), (\d) or (\d)$",
        ("cluster.nodePools[0].zones[0]",) * 3, "https://learn.microsoft.com/azure/reliability/availability-zones-region-support"),
    # maxSurge: a node count or a percentage of the pool.
    "surge of 0": (
        "dev", {"cluster.maxSurge": "0"}, "cluster.maxSurge", r"such as (\S+) or a percentage such as (\S+)$",
        ("cluster.maxSurge",) * 2, "https://learn.microsoft.com/azure/aks/upgrade-aks-cluster#customize-node-surge-upgrade"),
    # A VM size is written as Azure names it, Standard_ first; a System pool needs 4 vCPUs.
    "vm size without Standard_": (
        "dev", {"cluster.nodePools[0].vmSize": "D4ds_v5"}, "cluster.nodePools[0].vmSize", r"such as (\S+)$",
        ("cluster.nodePools[0].vmSize",), "https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions"),
    "kubernetes version with a v": (
        "dev", {"cluster.kubernetesVersion": "v1.36"}, "cluster.kubernetesVersion", r"such as ([\d.]+)",
        ("cluster.kubernetesVersion",), VERSIONS),
    # A block of settings for a controller that is not the chosen one: choose it.
    "tls under another controller": (
        "prod", {"ingress.controller": "envoyGateway", "ingress.appGateway": _DROP}, "tls", r"use (\w+), or remove tls",
        ("ingress.controller",), "https://learn.microsoft.com/azure/application-gateway/key-vault-certs"),
    "agc block under another controller": (
        "prod", {"ingress.agc": {}}, "ingress.agc", r"set controller (\w+)", ("ingress.controller",), AGC),
    "gitops block under apply": (
        "dev", {"kubernetes.gitops": {"url": "https://github.com/contoso/platform", "branch": "main",
                                      "path": "./deploy/dev"}}, "kubernetes.gitops", r"set delivery (\w+)",
        ("kubernetes.delivery",), "https://learn.microsoft.com/azure/azure-arc/kubernetes/tutorial-use-gitops-flux2"),
    # A VM size outside the catalog is told the nearest size in it.
    "vm size typo": (
        "dev", {"cluster.nodePools[0].vmSize": "Standard_D4dss_v5"}, "cluster.nodePools[0].vmSize",
        r"did you mean (\S+)\?", ("cluster.nodePools[0].vmSize",),
        "https://learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/ddsv5-series"),
    # Azure Firewall rules: a destination port is *, 1 to 65535 or a range; an address, a CIDR or a service tag.
    "firewall port 0": (
        "prod", {"egress.firewall.networkRules": [{"name": "x", "protocols": ["TCP"],
                                                   "destinationAddresses": ["10.1.0.0/16"], "ports": [0]}]},
        "egress.firewall.networkRules[0].ports[0]", r"such as (\S+)$", ("egress.firewall.networkRules[0].ports[0]",),
        "https://learn.microsoft.com/azure/firewall/rule-processing"),
    "firewall address with host bits": (
        "prod", {"egress.firewall.networkRules": [{"name": "x", "protocols": ["TCP"],
                                                   "destinationAddresses": ["10.1.0.1/16"], "ports": [443]}]},
        "egress.firewall.networkRules[0].destinationAddresses[0]", r"such as (\S+)$",
        ("egress.firewall.networkRules[0].destinationAddresses[0]",),
        "https://learn.microsoft.com/azure/firewall/service-tags"),
    # A flow's port: PROTOCOL/number, PROTOCOL/low-high, or a named container port of the destination.
    "flow port of an unknown protocol": (
        "dev", {"kubernetes.flows[0].ports[0]": "HTTP/80"}, "kubernetes.flows[0].ports[0]",
        r"expected (\S+), (\S+), (\S+) or a named port (\S+)$", ("kubernetes.flows[0].ports[0]",) * 4,
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports"),
    "named port to a cidr": (
        "dev", {"kubernetes.flows[4]": {"name": "backend-out", "from": {"app": "backend", "namespace": "development"},
                                        "to": {"cidr": "10.1.0.0/16"}, "ports": ["TCP/http"]}},
        "kubernetes.flows[4].ports[0]", r"e\.g\. (\S+)$", ("kubernetes.flows[4].ports[0]",),
        "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/"),
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


# The reader's generic messages: a typo'd key, namespace, section, subnet role, region or choice is told the
# name it is closest to, from the set of names valid at that place; written back, that name is accepted.
# id: (stack, changes, key path refused, pattern whose group is the suggestion, the changes that write it back)
Rename = Callable[[str], dict[str, Any]]


def _section(name: str) -> Any:
    return _committed("dev")[f"{C}{name}"]


def _full(key: str) -> str:
    """A stack file's key as a suggestion must give it: with its namespace."""
    assert ":" in key, key
    return key


TYPOS: dict[str, tuple[str, dict[str, Any], str, str, Rename]] = {
    # A key of a section: the keys that section reads (the AKS API's names, DESIGN.md's table).
    "cluster key": ("dev", {"cluster.networkPolicy": _DROP, "cluster.networkPolcy": "calico"},
                    "cluster.networkPolcy", r"did you mean '(\w+)'", lambda s: {f"cluster.{s}": "calico"}),
    "node pool key": ("dev", {"cluster.nodePools[0].vmSise": "Standard_D4ds_v5"}, "cluster.nodePools[0].vmSise",
                      r"did you mean '(\w+)'", lambda s: {f"cluster.nodePools[0].{s}": "Standard_D4ds_v5"}),
    # A section of the stack: aks-networking:<section>.
    "section": ("dev", {"aks-networking:kubernetes": _DROP, "aks-networking:kubernets": _section("kubernetes")},
                "kubernets", r"did you mean '([\w:-]+)'", lambda s: {_full(s): _section("kubernetes")}),
    # A namespace: the ones the program reads (aks-networking, azure-native).
    "namespace": ("dev", {"aks-networking:kubernetes": _DROP, "aks-networkin:kubernetes": _section("kubernetes")},
                  "aks-networkin:kubernetes", r"did you mean '([\w:-]+)'", lambda s: {_full(s): _section("kubernetes")}),
    "provider namespace": ("dev", {"azure-native:location": _DROP, "azure-nativ:location": "westeurope"},
                           "azure-nativ:location", r"did you mean '([\w:-]+)'", lambda s: {_full(s): "westeurope"}),
    # A region, as `az account list-locations` names it.
    "region": ("dev", {"azure-native:location": "westeuropa"}, "azure-native:location", r"did you mean '(\w+)'",
               lambda s: {"azure-native:location": s}),
    # A subnet role of the spoke VNet.
    "subnet role": ("dev", {"network.spoke.subnets.ilb": _DROP, "network.spoke.subnets.ilbb": "192.168.2.0/24"},
                    "network.spoke.subnets.ilbb", r"did you mean '(\w+)'",
                    lambda s: {f"network.spoke.subnets.{s}": "192.168.2.0/24"}),
    # A value of a choice: the outbound types AKS documents.
    "outbound type": ("dev", {"cluster.outboundType": "loadbalancer"}, "cluster.outboundType",
                      r"did you mean '(\w+)'", lambda s: {"cluster.outboundType": s}),
    "node pool mode": ("dev", {"cluster.nodePools[0].mode": "system"}, "cluster.nodePools[0].mode",
                       r"did you mean '(\w+)'", lambda s: {"cluster.nodePools[0].mode": s}),
}


@pytest.mark.parametrize("case", TYPOS)
def test_a_did_you_mean_names_a_name_valid_at_that_place(case: str) -> None:
    stack, changes, path, pattern, rename = TYPOS[case]
    told = [m for p, m in refused(stack, changes) if p == path]
    assert len(told) == 1, (path, refused(stack, changes))
    match = re.search(pattern, told[0])
    assert match, told[0]
    fixed = {**{k: v for k, v in changes.items() if k.removeprefix(C) != path}, **rename(match.group(1))}
    assert refused(stack, fixed) == [], (match.group(1), refused(stack, fixed))


# A whole number out of its range is told the range; each bound, written back, is accepted, and one past
# it is refused. (stack, changes that put the key out of range, key path, source of the range)
BOUNDS: dict[str, tuple[str, dict[str, Any], str, str]] = {
    # A node pool holds at most 1,000 nodes; a System pool at least one.
    "autoscaler maximum": ("dev", {"cluster.nodePools[0].count": _DROP, "cluster.nodePools[0].minCount": 1,
                                   "cluster.nodePools[0].maxCount": 1001}, "cluster.nodePools[0].maxCount",
                           "https://learn.microsoft.com/azure/aks/quotas-skus-regions#service-quotas-and-limits"),
    "System pool count": ("dev", {"cluster.nodePools[0].count": 0}, "cluster.nodePools[0].count",
                          "https://learn.microsoft.com/azure/aks/use-system-pools"),
    # The load balancer's managed outbound IPs: 1 to 100.
    "managed outbound IPs": ("dev", {"cluster.outboundIpCount": 101}, "cluster.outboundIpCount",
                             "https://learn.microsoft.com/azure/aks/load-balancer-standard"),
    # An OS disk of at most 2,048 GB (the AKS API's osDiskSizeGB).
    "OS disk size": ("dev", {"cluster.nodePools[0].osDiskSizeGB": 4096}, "cluster.nodePools[0].osDiskSizeGB",
                     "https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update"),
}


@pytest.mark.parametrize("case", BOUNDS)
def test_a_bound_a_refusal_names_is_the_edge_of_what_is_accepted(case: str) -> None:
    stack, changes, path, _source = BOUNDS[case]
    told = [m for p, m in refused(stack, changes) if p == path]
    assert len(told) == 1, (path, refused(stack, changes))
    match = re.search(r"from (\d+) to (\d+)$", told[0])
    assert match, told[0]
    low, high = int(match.group(1)), int(match.group(2))
    for value, accepted in ((low, True), (high, True), (low - 1, False), (high + 1, False)):
        again = [m for p, m in refused(stack, {**changes, path: value}) if p == path]
        assert (not again) is accepted, (value, again)


# A list too long is told the documented limit; the limit written back is accepted. (stack, key path, a list of
# n, how many a stack gives, the documented limit, source)
ITEM_LIMITS: dict[str, tuple[str, str, Callable[[int], list[Any]], int, int, str]] = {
    # Up to 200 authorized IP ranges on the API server.
    "authorized IP ranges": ("dev", "cluster.authorizedIpRanges", lambda n: [f"203.0.113.{i}/32" for i in range(n)],
                             240, 200, "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"),
    # A region has at most three availability zones.
    "zones": ("dev", "cluster.nodePools[0].zones", lambda n: [str(1 + i % 3) for i in range(n)], 6, 3,
              "https://learn.microsoft.com/azure/reliability/availability-zones-overview"),
}


@pytest.mark.parametrize("case", ITEM_LIMITS)
def test_a_list_limit_a_refusal_names_is_accepted(case: str) -> None:
    stack, path, items, given, limit, _source = ITEM_LIMITS[case]
    told = [m for p, m in refused(stack, {path: items(given)}) if p == path]
    assert told, (path, refused(stack, {path: items(given)}))
    assert [int(n) for m in told for n in re.findall(r"at most (\d+)", m)] == [limit], told
    assert not [m for p, m in refused(stack, {path: items(limit)}) if p == path]


def test_the_patch_version_a_hint_shows_is_accepted_with_the_channel_it_names() -> None:
    """A version pinned to a patch holds only where the auto-upgrade channel never moves it (none, node-image):
    the example of a patch the reader shows must come with such a channel, and with it, load.
    https://learn.microsoft.com/azure/aks/auto-upgrade-cluster#cluster-auto-upgrade-channels"""
    path = "cluster.kubernetesVersion"
    told = [m for p, m in refused("dev", {path: "v1.36"}) if p == path]
    assert len(told) == 1, told
    match = re.search(r"patch such as ([\d.]+) with upgradeChannel (\S+) or (\S+)$", told[0])
    assert match, told[0]
    for channel in match.group(2, 3):
        assert refused("dev", {path: match.group(1), "cluster.upgradeChannel": channel}) == [], channel


# A literal NetworkPolicySpec (kubernetes.policies[].spec): a field misspelt is told the NetworkPolicy API's
# field at that level, and a CIDR that does not parse is shown one that does; written back, each is accepted.
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
POLICY_TYPOS: dict[str, tuple[dict[str, Any], str, str, Callable[[str], dict[str, Any]]]] = {
    "spec field": ({"podSelectr": {}}, "s.podSelectr", r"did you mean '(\w+)'", lambda f: {f: {}}),
    "rule field": ({"podSelector": {}, "ingress": [{"form": []}]}, "s.ingress[0].form", r"did you mean '(\w+)'",
                   lambda f: {"podSelector": {}, "ingress": [{f: []}]}),
    "peer field": ({"podSelector": {}, "egress": [{"to": [{"namespaceSelect": {}}]}]}, "s.egress[0].to[0].namespaceSelect",
                   r"did you mean '(\w+)'", lambda f: {"podSelector": {}, "egress": [{"to": [{f: {}}]}]}),
    # The API parses ipBlock.cidr as a CIDR: an address without its prefix length is not one.
    "ipBlock address without prefix": ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0"}}]}]},
                                       "s.egress[0].to[0].ipBlock.cidr", r"such as (\S+)$",
                                       lambda c: {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": c}}]}]}),
    "ipBlock cidr": ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]},
                     "s.egress[0].to[0].ipBlock.cidr", r"such as (\S+)$",
                     lambda c: {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": c}}]}]}),
}


@pytest.mark.parametrize("case", POLICY_TYPOS)
def test_a_policy_spec_remedy_written_back_is_accepted(case: str) -> None:
    from aksnet.config.policy_spec import check_policy_spec
    from aksnet.config.schema import Problems
    spec, path, pattern, fixed = POLICY_TYPOS[case]
    problems = Problems()
    check_policy_spec(problems, "s", spec)
    told = [p.message for p in problems.items if p.path == path]
    assert len(told) == 1, [(p.path, p.message) for p in problems.items]
    match = re.search(pattern, told[0])
    assert match, told[0]
    again = Problems()
    check_policy_spec(again, "s", fixed(match.group(1)))
    assert not again.items, (match.group(1), [(p.path, p.message) for p in again.items])


@pytest.mark.parametrize("pod_cidr", ["10.244.0.0/16", "172.16.0.0/16", "10.0.0.0/16"])
def test_the_service_cidr_and_dns_address_suggested_together_are_accepted_together(pod_cidr: str) -> None:
    """A service CIDR on the VNet is refused, and so is a DNS address outside it: each refusal suggests a value,
    the DNS one inside the service CIDR suggested, and none on the pod CIDR (they must not overlap). Written
    back together, neither key is refused, nor the pod CIDR.
    https://learn.microsoft.com/azure/aks/configure-kubenet#create-an-aks-cluster-in-the-virtual-network"""
    changes = {"cluster.serviceCidr": "192.168.0.0/16", "cluster.dnsServiceIp": "10.0.0.10",
               "cluster.podCidr": pod_cidr}
    told = dict(refused("dev", changes))
    [service] = re.findall(r"e\.g\. (\S+)$", told["cluster.serviceCidr"])
    [dns] = re.findall(r"such as (\S+)$", told["cluster.dnsServiceIp"])
    again = refused("dev", {**changes, "cluster.serviceCidr": service, "cluster.dnsServiceIp": dns})
    assert not [(p, m) for p, m in again if p.startswith(("cluster.serviceCidr", "cluster.dnsServiceIp",
                                                          "cluster.podCidr"))], (service, dns, again)


# A value outside a choice is told every value the key takes: the ones the cited page documents.
CHOICES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "cluster.outboundType": ("nat", ("loadBalancer", "managedNATGateway", "userAssignedNATGateway",
                                     "userDefinedRouting"), EGRESS),
    "cluster.networkPlugin": ("cilium", ("kubenet", "azure", "none"),
                              "https://learn.microsoft.com/azure/aks/concepts-network-cni-overview"),
    "cluster.upgradeChannel": ("weekly", ("patch", "stable", "rapid", "node-image", "none"), UPGRADE),
}


@pytest.mark.parametrize("path", CHOICES)
def test_a_refused_choice_names_every_value_the_key_takes(path: str) -> None:
    wrong, values, _source = CHOICES[path]
    told = [m for p, m in refused("dev", {path: wrong}) if p == path]
    assert len(told) == 1, told
    listed = re.findall(r"\w[\w-]*", told[0].split("is not one of", 1)[1])
    assert set(values) <= set(listed), (values, told[0])


def test_the_vnet_range_a_refusal_suggests_is_rfc_1918() -> None:
    """Azure refuses link-local, loopback and multicast ranges in a VNet; the refusal names RFC 1918, and the
    range it suggests is one of RFC 1918's (10/8, 172.16/12, 192.168/16).
    https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#what-address-ranges-can-i-use-in-my-vnets"""
    import ipaddress
    path = "network.spoke.addressSpace[0]"
    told = [m for p, m in refused("dev", {"network.spoke.addressSpace": ["169.254.0.0/16"]}) if p == path]
    [suggested] = re.findall(r"RFC 1918 range such as (\S+)$", told[0])
    private = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
    assert any(ipaddress.IPv4Network(suggested).subnet_of(r) for r in private), suggested


def test_a_key_without_its_namespace_is_told_the_full_key() -> None:
    """Pulumi stack config keys are `namespace:key`; the program reads its sections under aks-networking.
    https://www.pulumi.com/docs/iac/concepts/config/#configuration-keys"""
    from aksnet.config.stack import load_spec
    config = dict(_committed("dev"))
    config["cluster"] = config.pop(f"{C}cluster")
    with pytest.raises(ConfigError) as refusal:
        load_spec(config, "dev")
    [told] = [p.message for p in refusal.value.problems if p.path == "cluster"]
    [key] = re.findall(r"write (\S+)$", told)
    config[key] = config.pop("cluster")
    load_spec(config, "dev")


def test_a_subnet_role_offered_for_a_typo_is_a_role_of_that_vnet() -> None:
    """The spoke takes its own roles (the DNS resolver's `dns` subnet is the hub's): each role a refusal offers
    for a typo in the spoke is one the spoke accepts.
    https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions"""
    path = "network.spoke.subnets.dnss"
    [told] = [m for p, m in refused("prod", {path: "10.240.9.0/24"}) if p == path]
    offered = re.findall(r"did you mean '(\w+)'", told) or re.findall(r"\w+", told.split("expected one of", 1)[1])
    assert offered, told
    for role in offered:
        key = f"network.spoke.subnets.{role}"
        assert not [m for p, m in refused("prod", {key: "10.240.9.0/24"}) if p == key and "not a subnet role" in m], role
