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
from typing import Any

from aksnet.config.stack import load_spec
from aksnet.plan.addressing import plan_addresses
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
