"""The platform layer's addresses, NSG and firewall rules, guardrails and policies, pinned where a one-place
mistake passed every other behavioural test (issue 27).

A sweep of aksnet/plan/addressing.py, security_rules.py, egress_rules.py, outbound.py, netpol.py,
aksnet/config/egress.py, aksnet/rules/guardrails.py and the firewall, egress, roles and diagnostics
components tried a realistic wrong variant of each fact they encode; the rows below hold the ones no
other behavioural test caught. Expected outcomes come from the page cited beside each row, never from
running our code; a remedy a refusal suggests is written back into the stack and must be accepted.
Pure readers, planners and rules: no program run.
"""

from __future__ import annotations

import ipaddress
import re
from types import SimpleNamespace
from typing import Any

from aksnet.config.problems import ConfigError
from aksnet.config.stack import load_spec
from aksnet.plan.addressing import plan_addresses
from aksnet.rules.guardrails import no_plain_secrets
from tests.stacks import DELETE, load, variant
from tests.test_message_pins import refusals

NS = "aks-networking"


def _plan_row(stack: str, cidr: str, changes: dict[str, Any] | None = None) -> Any:
    config = variant(load(stack), {f"{NS}:{k}": v for k, v in (changes or {}).items()})
    return next(row for row in plan_addresses(load_spec(config, stack)).rows if row.cidr == cidr)


# Addresses -------------------------------------------------------------------------------------

def test_the_endpoints_subnet_counts_an_address_for_each_private_endpoint_nic() -> None:
    """A registry's private endpoint takes two addresses (the registry, and its data endpoint in the
    region), and the Key Vault's private endpoint (prod's `tls`) a third: each private endpoint is a
    network interface with a private IP from the subnet.
    https://learn.microsoft.com/azure/container-registry/container-registry-private-link
    https://learn.microsoft.com/azure/private-link/private-endpoint-overview"""
    endpoints = str(load_spec(load("prod"), "prod").network.spoke.subnets["endpoints"])
    assert _plan_row("prod", endpoints).needed == 2 + 1
    assert _plan_row("prod", endpoints, {"tls": DELETE}).needed == 2


def test_the_service_cidr_a_refusal_suggests_is_accepted_written_back() -> None:
    """The service CIDR must overlap no routed range and not the pod CIDR; the range a refusal suggests
    (and the DNS address it then suggests inside it) must pass those same checks. Here the pod CIDR
    sits where a suggestion blind to it would land.
    https://learn.microsoft.com/azure/aks/configure-kubenet#create-an-aks-cluster-in-the-virtual-network"""
    wrong = {"cluster.podCidr": "172.16.0.0/16", "cluster.serviceCidr": "192.168.0.0/16",
             "cluster.dnsServiceIp": "172.17.0.10"}
    told = dict(refusals("dev", wrong))
    [cidr] = re.findall(r"e\.g\. (\d+\.\d+\.\d+\.\d+/\d+)", told["cluster.serviceCidr"])
    [dns] = re.findall(r"such as (\d+\.\d+\.\d+\.\d+)", told["cluster.dnsServiceIp"])
    again = refusals("dev", {**wrong, "cluster.serviceCidr": cidr, "cluster.dnsServiceIp": dns})
    assert not [(p, m) for p, m in again if p in wrong], (cidr, dns, again)


def test_the_static_addresses_a_refusal_offers_are_usable_written_back() -> None:
    """An internal load balancer's static address must be one Azure hands out: not the subnet's first four
    nor its last. The refusal offers a first and a last usable address; each, written back, is accepted,
    and the ones just outside them are not.
    https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets"""
    key = "kubernetes.apps[3].staticIp"  # dev's internal-api, in the ilb subnet 192.168.2.0/24
    told = [m for p, m in refusals("dev", {key: "192.168.2.0"}) if p == key]
    assert len(told) == 1, told
    [(first, last)] = re.findall(r"from (\S+) to (\S+?)(?:;|$)", told[0])
    assert (first, last) == ("192.168.2.4", "192.168.2.254")
    for usable in (first, last):
        assert not [m for p, m in refusals("dev", {key: usable}) if p == key], usable
    for reserved in (ipaddress.ip_address(first) - 1, ipaddress.ip_address(last) + 1):
        assert [m for p, m in refusals("dev", {key: str(reserved)}) if p == key], reserved



# A CNI Overlay pod CIDR lies inside RFC 1918 or RFC 6598 space; one that reaches past it (merely
# overlapping a private range) holds public addresses and is refused. (pod CIDR, refused)
# https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay#ip-address-planning
# https://www.rfc-editor.org/rfc/rfc1918#section-3, https://www.rfc-editor.org/rfc/rfc6598#section-7
OVERLAY_POD_CIDRS = [("100.0.0.0/8", True), ("100.0.0.0/9", True), ("192.168.0.0/15", True),
                     ("10.0.0.0/7", True), ("100.64.0.0/10", False), ("192.168.0.0/16", False)]


def test_an_overlay_pod_cidr_lies_wholly_inside_private_space() -> None:
    for pod_cidr, refused in OVERLAY_POD_CIDRS:
        spec = load_spec(variant(load("prod"), {f"{NS}:cluster.podCidr": pod_cidr}), "prod")
        found = [p.message for p in plan_addresses(spec).problems
                 if p.path == f"{NS}:cluster.podCidr" and "RFC 1918" in p.message]
        assert bool(found) is refused, (pod_cidr, found)


# Firewall ---------------------------------------------------------------------------------------

def test_each_threat_intelligence_mode_azure_offers_loads() -> None:
    """Azure Firewall's threat intelligence runs Off, in Alert (alert only) or in Deny (alert and deny) mode:
    each, written in the stack file, is read as it is (the guardrail, not the reader, asks production for
    Deny). https://learn.microsoft.com/azure/firewall/threat-intel"""
    for mode in ("Off", "Alert", "Deny"):
        config = variant(load("prod"), {f"{NS}:egress.firewall.threatIntelMode": mode})
        firewall = load_spec(config, "prod").egress.firewall
        assert firewall is not None and firewall.threat_intel_mode == mode, mode


def test_a_dnat_rule_takes_the_ports_tcp_and_udp_have() -> None:
    """A DNAT rule's port on the firewall's public address and the port it translates to are TCP or UDP
    ports: 1 to 65535 (port 0 is reserved). Each bound is accepted, one past it refused, at its own key.
    https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat
    https://www.rfc-editor.org/rfc/rfc6335#section-6"""
    at = "egress.firewall.dnatRules[0]"
    for key in ("port", "translatedPort"):
        for port, refused in ((0, True), (1, False), (65535, False), (65536, True)):
            rule = {"name": "web", "protocol": "TCP", "port": 8443, "translatedAddress": "10.240.0.10",
                    "translatedPort": 443, key: port}
            try:
                load_spec(variant(load("prod"), {f"{NS}:egress.firewall.dnatRules": [rule]}), "prod")
                found = []
            except ConfigError as error:  # the reader's refusals, every one at once
                found = [p.message for p in error.problems if p.path == f"{NS}:{at}.{key}"]
            assert bool(found) is refused, (key, port, found)


def test_a_dnat_rule_without_a_protocol_publishes_tcp() -> None:
    """The stack's DNAT rule defaults to TCP, the transport of what is published through a firewall most
    (HTTP, HTTPS, SSH, RDP: the tutorial's rule is TCP); UDP must be asked for.
    https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat"""
    rule = {"name": "web", "port": 8443, "translatedAddress": "10.240.0.10", "translatedPort": 443}
    firewall = load_spec(variant(load("prod"), {f"{NS}:egress.firewall.dnatRules": [rule]}), "prod").egress.firewall
    assert firewall is not None and [r.protocol for r in firewall.dnat_rules] == ["TCP"]


# Guardrails -------------------------------------------------------------------------------------

# Inputs that carry a secret in Azure's resource APIs, as the engine's camelCase properties hold them:
# a plain string there is flagged by `no-plain-secrets`. (resource type, its inputs, page naming the field)
SECRET_INPUTS = [
    # A site-to-site VPN connection's IPsec pre-shared key.
    ("azure-native:network:VirtualNetworkGatewayConnection", {"sharedKey": "abc123"},
     "https://learn.microsoft.com/azure/templates/microsoft.network/connections"),
    # The Windows nodes' administrator password.
    ("azure-native:containerservice:ManagedCluster", {"windowsProfile": {"adminUsername": "azure",
                                                                        "adminPassword": "P@ssw0rd!"}},
     "https://learn.microsoft.com/azure/templates/microsoft.containerservice/managedclusters"),
    # A certificate's PFX password on an application gateway.
    ("azure-native:network:ApplicationGateway", {"sslCertificates": [{"name": "c", "data": "MII", "password": "pfx"}]},
     "https://learn.microsoft.com/azure/templates/microsoft.network/applicationgateways"),
    # The cluster's service principal secret.
    ("azure-native:containerservice:ManagedCluster", {"servicePrincipalProfile": {"clientId": "x", "secret": "s"}},
     "https://learn.microsoft.com/azure/templates/microsoft.containerservice/managedclusters"),
]


def test_each_secret_input_of_an_azure_api_is_flagged_when_plain() -> None:
    for typ, props, source in SECRET_INPUTS:
        found: list[str] = []
        args = SimpleNamespace(resource_type=typ, name="r", urn="urn:r", props=props)  # pulumi_policy's shape
        no_plain_secrets(args, lambda message, urn=None, into=found: into.append(message))
        assert len(found) == 1, (typ, props, source, found)


# NetworkPolicies --------------------------------------------------------------------------------

def test_a_flow_over_a_port_range_allows_the_whole_range() -> None:
    """A NetworkPolicyPort with endPort allows port to endPort inclusive; without it, port alone. A flow
    declared over TCP/8000-8080 must compile to both fields on each side.
    https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports"""
    from aksnet.plan.netpol import IngressController, compile_policies
    controller = IngressController(namespace="envoy-gateway-system")  # dev's ingress controller
    config = variant(load("dev"), {f"{NS}:kubernetes.flows[0].ports": ["TCP/8000-8080"]})
    policies = [p for origin, p in compile_policies(load_spec(config, "dev").kubernetes.workloads, controller)
                if origin == "kubernetes.flows[0]"]
    rules = [rule for p in policies for rule in (*p["spec"].get("egress", ()), *p["spec"].get("ingress", ()))]
    assert len(rules) == 2 and all(r["ports"] == [{"protocol": "TCP", "port": 8000, "endPort": 8080}]
                                   for r in rules), rules


def test_a_flows_policies_isolate_only_the_direction_they_allow() -> None:
    """A NetworkPolicy isolates the pods it selects in each direction its policyTypes lists: the source's
    policy of a flow must list Egress alone and the destination's Ingress alone, or pods would lose the
    other direction wherever no default deny already governs it.
    https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation"""
    from aksnet.plan.netpol import IngressController, compile_policies
    workloads = load_spec(load("dev"), "dev").kubernetes.workloads
    policies = compile_policies(workloads, IngressController(namespace="envoy-gateway-system"))
    types = {p["metadata"]["name"]: p["spec"]["policyTypes"] for origin, p in policies if origin == "kubernetes.flows[0]"}
    assert types == {"frontend-to-backend-egress": ["Egress"], "frontend-to-backend-ingress": ["Ingress"]}, types
