"""The facts the practice set of independent mutants `practice_pa` found unpinned, and their classes (issue 27).

Each table holds one kind of fact on every side the documentation gives it: an ipBlock's `except`
entries lie strictly inside its `cidr`; disabling local accounts needs Entra ID, not Azure RBAC; an
explicit egress next hop only under userDefinedRouting without a firewall; a spoke's flows to private
ranges not inside its own VNet cross the hub; internal load balancer Services collide only on one named
address, protocol and port; the reader bounds of Application Gateway capacity, Log Analytics workspace
names and Key Vault secret names; the hub subnets a firewall of each SKU needs; who may apply the
Kubernetes layer under Azure RBAC; the remedies the network-profile refusals name; and when Azure
switches an existing API server between public and private in place. Expected outcomes come from the
page cited beside each row, never from running our code. Pure readers, rules and review: no program run.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any

import pytest

from aksnet.config.policy_spec import check_policy_spec
from aksnet.config.schema import Problems
from aksnet.config.workloads import Endpoint
from aksnet.rules import path_rules
from aksnet.rules.design import api_server, cluster, egress, network_profile
from aksnet.rules.kubernetes_objects import one_claim_per_internal_address_and_port
from tests.stacks import variant
from tests.test_config_pins import HUB_SUBNETS, _hub, problem_paths, stack_config
from tests.test_review_semantics import cluster as cluster_record
from tests.test_review_semantics import kinds, review, with_inputs
from tests.test_rule_pins import _set, by_id, found, vary

C = "aks-networking:"
NET = ipaddress.ip_network
IP = ipaddress.ip_address


# NetworkPolicy ipBlock: "Except values will be rejected if they are outside the cidr range", and
# ValidateIPBlock wants each a strict subset of cidr, of the same family.
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
@pytest.mark.parametrize("cidr, except_, refused", [
    ("10.0.0.0/16", "10.0.4.0/24", False),    # inside
    ("10.0.0.0/16", "10.0.0.0/17", False),    # the lower half, still strictly inside
    ("10.0.0.0/16", "10.0.0.0/16", True),     # equal: not a strict subset
    ("10.0.0.0/16", "10.0.0.0/8", True),      # overlaps by containing the cidr: outside its range
    ("10.0.0.0/16", "10.0.0.0/15", True),     # one bit wider
    ("10.0.0.0/16", "0.0.0.0/0", True),
    ("10.0.0.0/16", "10.1.0.0/24", True),     # disjoint
    ("2001:db8::/32", "2001:db8:1::/48", False),
    ("2001:db8::/32", "2001:db8::/31", True),
    ("2001:db8::/32", "10.0.0.0/24", True),   # another family
])
def test_an_ip_block_except_lies_strictly_inside_its_cidr(cidr, except_, refused):
    problems = Problems()
    check_policy_spec(problems, "s", {"podSelector": {}, "egress": [{"to": [{"ipBlock": {
        "cidr": cidr, "except": [except_]}}]}]})
    assert [p.path for p in problems.items] == (["s.egress[0].to[0].ipBlock.except[0]"] if refused else [])


# Local accounts off needs AKS-managed Entra ID; Kubernetes RBAC with Entra ID will do, Azure RBAC is optional.
# https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
@pytest.mark.parametrize("changes, refused", [
    ({}, False),                                                       # Entra ID with Azure RBAC
    ({"cluster.entra_id.azure_rbac": False}, False),                   # Entra ID with Kubernetes RBAC
    ({"cluster.entra_id": None}, True),                                # no Entra ID
    ({"cluster.entra_id": None, "cluster.local_accounts": True}, False),
])
def test_local_accounts_off_needs_entra_id_whatever_the_authorization(changes, refused):
    problems = found(by_id(api_server, "local-accounts-off-needs-entra-id"), vary("dev", changes))
    assert [p for p, _ in problems] == (["cluster.localAccounts"] if refused else [])


# Only outboundType userDefinedRouting leaves egress to the route table's next hop; every other type
# egresses through AKS's load balancer or a NAT gateway, and a firewall already is the UDR's next hop.
# https://learn.microsoft.com/azure/aks/egress-outboundtype
@pytest.mark.parametrize("stack, outbound, refused", [
    ("dev", "userDefinedRouting", False),
    ("dev", "loadBalancer", True),
    ("dev", "managedNATGateway", True),
    ("dev", "userAssignedNATGateway", True),
    ("prod", "userDefinedRouting", True),    # prod's firewall is the next hop already
])
def test_an_explicit_next_hop_only_where_userdefinedrouting_has_no_firewall(stack, outbound, refused):
    spec = vary(stack, {"cluster.outbound_type": outbound, "cluster.egress_next_hop_ip": IP("192.168.3.4")})
    problems = found(egress.next_hop_only_for_udr_without_firewall, spec)
    assert [p for p, _ in problems] == (["cluster.egressNextHopIp"] if refused else [])


# A spoke reaches addresses outside its own VNet's space through the peering and the hub; a range that
# merely overlaps its space (contains it) reaches beyond it too. The spoke is 10.240.0.0/16.
# https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview,
# https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke
@pytest.mark.parametrize("cidr, across", [
    ("10.240.0.0/16", False),    # the spoke's own space
    ("10.240.255.255/32", False),
    ("10.240.0.0/15", True),     # contains the spoke: half of it is elsewhere
    ("10.0.0.0/8", True),
    ("10.241.0.0/16", True),
])
@pytest.mark.parametrize("end", ["source", "destination"])
def test_a_range_that_contains_the_spoke_crosses_its_hub(cidr, across, end):
    spec = vary("prod", {"landing_zone.role": "spoke"})
    flow = dataclasses.replace(spec.kubernetes.workloads.flows[0], name="f", **{end: Endpoint(cidr=NET(cidr))})
    found_across = path_rules._across_spokes(_set(spec, ["kubernetes", "workloads", "flows"], (flow,)))
    assert found_across == (frozenset({"f"}) if across else frozenset())


# One load balancing rule answers a frontend address, protocol and port; each LoadBalancer Service gets a
# frontend IP of its own unless it names a shared address.
# https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/,
# https://learn.microsoft.com/azure/aks/internal-lb#specify-an-ip-address
def _internal(app: Any, address: str | None, protocol: str = "TCP", port: int = 80) -> Any:
    """An internal LoadBalancer Service of one port, at `address` or at one the platform assigns."""
    ports = (dataclasses.replace(app.ports[0], protocol=protocol, port=port),)
    return dataclasses.replace(app, static_ip=None if address is None else IP(address), ports=ports)


@pytest.mark.parametrize("first, second, refused", [
    ((None,), (None,), False),                                   # two addresses the platform assigns
    (("192.168.2.10",), (None,), False),
    (("192.168.2.10",), ("192.168.2.10",), True),               # one address, one port
    (("192.168.2.10",), ("192.168.2.10", "TCP", 443), False),   # another port
    (("192.168.2.10",), ("192.168.2.10", "UDP", 80), False),    # another protocol
    (("192.168.2.10",), ("192.168.2.11",), False),              # another address
])
def test_internal_services_collide_only_on_one_named_address_protocol_and_port(first, second, refused):
    spec = vary("dev", {})
    apps = spec.kubernetes.workloads.apps
    internal = next(a for a in apps if a.service_type == "InternalLoadBalancer")
    pair = (_internal(internal, *first), dataclasses.replace(_internal(internal, *second), name="other"))
    spec = _set(spec, ["kubernetes", "workloads", "apps"], pair)
    problems = found(one_claim_per_internal_address_and_port, spec)
    assert [p for p, _ in problems] == (["kubernetes.apps[1].staticIp"] if refused else [])


# Reader bounds, each written out in the stack file, on both sides.
APPGW_SCALE = "https://learn.microsoft.com/azure/application-gateway/application-gateway-autoscaling-zone-redundant"
WORKSPACE = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftoperationalinsights"
KV_SECRET = "https://learn.microsoft.com/rest/api/keyvault/secrets/set-secret/set-secret"
_WS = "/subscriptions/6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7/resourceGroups/rg/providers/" \
      "Microsoft.OperationalInsights/workspaces/"
AG = f"{C}ingress.appGateway"
BOUND_ROWS = [
    # v2 autoscaling: the minimum from 0 (no reserved capacity) to 125, the maximum from 1 (or 2) to 125.
    (APPGW_SCALE, "prod", {f"{AG}.minCapacity": 0}, None),
    (APPGW_SCALE, "prod", {f"{AG}.minCapacity": 1}, None),
    (APPGW_SCALE, "prod", {f"{AG}.minCapacity": 125, f"{AG}.maxCapacity": 125}, None),
    (APPGW_SCALE, "prod", {f"{AG}.minCapacity": 126, f"{AG}.maxCapacity": 125}, f"{AG}.minCapacity"),
    (APPGW_SCALE, "prod", {f"{AG}.maxCapacity": 0}, f"{AG}.maxCapacity"),
    # A workspace name: 4 to 63 alphanumerics and hyphens, starting and ending alphanumeric.
    (WORKSPACE, "dev", {f"{C}diagnostics": {"workspaceId": _WS + "logs"}}, None),
    (WORKSPACE, "dev", {f"{C}diagnostics": {"workspaceId": _WS + "log"}}, f"{C}diagnostics.workspaceId"),
    (WORKSPACE, "dev", {f"{C}diagnostics": {"workspaceId": _WS + "l-gs"}}, None),
    (WORKSPACE, "dev", {f"{C}diagnostics": {"workspaceId": _WS + "logs-"}}, f"{C}diagnostics.workspaceId"),
    (WORKSPACE, "dev", {f"{C}diagnostics": {"workspaceId": _WS + "-logs"}}, f"{C}diagnostics.workspaceId"),
    # A Key Vault secret name: ^[0-9a-zA-Z-]+$, so no underscore, dot or space.
    (KV_SECRET, "prod", {f"{C}tls.certificates[0].name": "tls-cert-01"}, None),
    (KV_SECRET, "prod", {f"{C}tls.certificates[0].name": "c"}, None),
    *[(KV_SECRET, "prod", {f"{C}tls.certificates[0].name": f"tls{c}cert"}, f"{C}tls.certificates[0].name")
      for c in "_. /"],
]


@pytest.mark.parametrize("source, stack, changes, refused", BOUND_ROWS)
def test_each_written_value_is_held_to_its_documented_bound(source, stack, changes, refused):
    assert problem_paths(variant(stack_config(stack), changes), stack) == ([] if refused is None else [refused]), \
        source


# Every SKU lives in AzureFirewallSubnet, a /26; Basic needs AzureFirewallManagementSubnet, a /26, as well.
# https://learn.microsoft.com/azure/firewall/firewall-faq#why-does-azure-firewall-need-a--26-subnet-size,
# https://learn.microsoft.com/azure/firewall/deploy-firewall-basic-portal-policy
FW26, MGMT26, BAS26, DNS28 = "10.100.0.0/26", "10.100.1.0/26", "10.100.0.64/26", "10.100.0.128/28"


@pytest.mark.parametrize("sku", ["Basic", "Standard", "Premium"])
@pytest.mark.parametrize("firewall_subnet, refused", [(None, True), ("10.100.0.0/27", True), (FW26, False),
                                                      ("10.100.2.0/24", False)])
def test_every_firewall_sku_needs_its_own_subnet_of_a_26(sku, firewall_subnet, refused):
    subnets = {"AzureBastionSubnet": BAS26, "dns": DNS28, "AzureFirewallManagementSubnet": MGMT26}
    if sku != "Basic":
        del subnets["AzureFirewallManagementSubnet"]
    if firewall_subnet is not None:
        subnets["AzureFirewallSubnet"] = firewall_subnet
    firewall = {"sku": sku, "threatIntelMode": "Alert", "dnsProxy": sku != "Basic"}
    assert _hub(subnets, firewall) == ([f"{HUB_SUBNETS}.AzureFirewallSubnet"] if refused else [])


# With Azure RBAC and local accounts off, nobody holds a cluster role until one is granted; the local admin
# kubeconfig (local accounts on) bypasses Entra ID and Azure RBAC; GitOps applies through the Flux
# extension, not the deployer.
# https://learn.microsoft.com/azure/aks/manage-azure-rbac,
# https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
@pytest.mark.parametrize("changes, refused", [
    ({}, True),
    ({"cluster.local_accounts": True}, False),
    ({"cluster.entra_id.azure_rbac": False}, False),
    ({"cluster.entra_id": None, "cluster.local_accounts": True}, False),
    ({"kubernetes.delivery": "gitops"}, False),
    ({"kubernetes.delivery": "none"}, False),
    ({"cluster.entra_id.grant_deployer": True}, False),
    ({"cluster.entra_id.grant_deployer": None}, False),
])
def test_the_deployer_needs_a_role_only_where_azure_rbac_alone_authorizes(changes, refused):
    spec = vary("dev", {"cluster.entra_id.grant_deployer": False, **changes})
    problems = found(cluster.someone_may_apply_the_layer, spec)
    assert [p for p, _ in problems] == (["cluster.entraId.grantDeployer"] if refused else [])


# The remedy each network-profile refusal names. Calico runs on kubenet and Azure CNI, Azure NPM on Azure CNI
# only, Cilium policy only on the Cilium dataplane, which runs on Azure CNI and enforces policies itself.
# https://learn.microsoft.com/azure/aks/use-network-policies#network-policy-options-in-aks,
# https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium
@pytest.mark.parametrize("rule, stack, changes, key, names, never", [
    ("azure-npm-needs-azure-cni", "dev", {"cluster.network_policy": "azure"}, "cluster.networkPolicy",
     ("calico", "networkPlugin azure"), "cilium"),
    ("overlay-needs-azure-cni", "dev", {"cluster.network_plugin_mode": "overlay"}, "cluster.networkPluginMode",
     ("networkPlugin azure",), "calico"),
    ("cilium-policy-needs-cilium-dataplane", "prod", {"cluster.network_dataplane": "azure"},
     "cluster.networkPolicy", ("networkDataplane cilium",), "calico"),
    ("cilium-dataplane-needs-azure-cni", "dev", {"cluster.network_dataplane": "cilium"}, "cluster.networkDataplane",
     ("networkPlugin azure",), "calico"),
    ("cilium-dataplane-enforces-policies", "prod", {"cluster.network_policy": "calico"}, "cluster.networkPolicy",
     ("use cilium",), "use calico"),
    ("cilium-dataplane-enforces-policies", "prod", {"cluster.network_policy": "none"}, "cluster.networkPolicy",
     ("set cilium",), "calico"),
])
def test_each_network_profile_refusal_names_the_documented_remedy(rule, stack, changes, key, names, never):
    problems = found(by_id(network_profile, rule), vary(stack, changes))
    assert [p for p, _ in problems] == [key], problems
    message = problems[0][1]
    assert all(name in message for name in names) and never not in message, message


# An existing cluster's API server turns public or private in place only when it already has API Server
# VNet Integration; enabling both in one change asks Azure for the private switch before integration exists.
# https://learn.microsoft.com/azure/aks/api-server-vnet-integration#enable-or-disable-private-cluster-mode-on-an-existing-cluster-with-api-server-vnet-integration,
# https://learn.microsoft.com/azure/aks/private-clusters
def _api(integrated: bool | None, private: bool) -> dict[str, Any]:
    profile = {"enablePrivateCluster": private, **({} if integrated is None else {"enableVnetIntegration": integrated})}
    return with_inputs(cluster_record(), apiServerAccessProfile=profile)


@pytest.mark.parametrize("base, head, kind", [
    ((True, False), (True, True), "in-place"),
    ((True, True), (True, False), "in-place"),
    ((None, False), (True, True), "refused"),   # integration enabled in the same change
    ((False, True), (True, False), "refused"),
    ((True, False), (False, True), "refused"),  # integration dropped in the same change
    ((None, False), (None, True), "refused"),
])
def test_the_api_server_switches_privacy_in_place_only_when_integrated_before_and_after(base, head, kind):
    result = review([_api(*base)], [_api(*head)])
    assert kinds(result, "apiServerAccessProfile.enablePrivateCluster") == [kind]
