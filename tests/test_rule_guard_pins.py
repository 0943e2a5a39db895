"""Each term of each rule's trigger, held both ways (issue 27).

A rule's trigger is a conjunction or disjunction of terms; a test showing that the rule fires on one stack
and not on another holds only the terms the two stacks differ in. Here each row is one committed stack
varied in one place, the rule it concerns, and whether that rule must fire on it; rows come in pairs: the
minimal stack where the documented condition holds, and the same stack with exactly one term made false.
Each rule runs alone on the spec as the readers accept it (`load_spec`), so one rule's row is not hidden
by another rule's refusal. Expected outcomes come from the page cited beside each group of rows, never
from running our code. Pure: no program run under the mock engine.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

import pytest

from aksnet import vocabulary as v
from aksnet.config.stack import StackConfig, load_spec
from aksnet.pipeline import load_stack
from aksnet.rules.kubernetes_objects import duplicate_list_map_entries
from aksnet.rules.registry import BY_ID, RecordedResource, RecordedStack
from tests.stacks import DELETE, load, variant

C = "aks-networking:"
_DROP = "<delete this key>"
TODAY = datetime.date(2026, 12, 7)


@functools.cache
def _spec(stack: str, changes: str) -> StackConfig:
    config = variant(load(stack), {k if ":" in k else f"{C}{k}": DELETE if v == _DROP else v
                                   for k, v in json.loads(changes).items()})
    return load_spec(config, stack)


def fires(rule_id: str, stack: str, changes: dict[str, Any], today: datetime.date = TODAY) -> bool:
    """Whether the rule, alone, finds a problem in the stack varied by key path."""
    spec = _spec(stack, json.dumps(changes, sort_keys=True))
    return bool(BY_ID[rule_id].spec_problems(spec, today))


# (rule id, stack, changes by key path, whether the rule fires); each group cites its page.
SPEC_ROWS: dict[str, tuple[str, str, dict[str, Any], bool]] = {}


def rows(rule_id: str, stack: str, base: dict[str, Any], cases: dict[str, tuple[dict[str, Any], bool]]) -> None:
    for name, (changes, expected) in cases.items():
        merged = {**base, **changes}  # a key the base adds and the row drops is simply not set
        merged = {k: v for k, v in merged.items() if not (v == _DROP and k in base)}
        SPEC_ROWS[f"{rule_id}: {name}"] = (rule_id, stack, merged, expected)


# "In non-private clusters, API server cluster traffic is routed and processed through the clusters
# outbound type" (https://learn.microsoft.com/azure/aks/nat-gateway); with authorized ranges, the nodes'
# egress addresses must be among them (https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges).
# The stack knows the addresses of its own NAT gateway and firewall; only an appliance of someone else's
# (egressNextHopIp, no firewall of the stack) leaves from addresses it cannot add.
_APPLIANCE = {"cluster.outboundType": "userDefinedRouting", "cluster.egressNextHopIp": "10.10.0.4"}
rows("nodes-reach-their-public-api-server", "dev", _APPLIANCE, {
    "public, ranges, someone else's appliance": ({}, True),
    "a user-assigned NAT gateway: its addresses are the stack's": (
        {"cluster.outboundType": "userAssignedNATGateway", "cluster.egressNextHopIp": _DROP}, False),
    "private API server": ({"cluster.private": True}, False),
    "no authorized ranges": ({"cluster.authorizedIpRanges": []}, False),
    "VNet-integrated API server": ({"cluster.apiServerVnetIntegration": True}, False),
})

# A spoke's private API server keeps its zone to AKS (system) or none; only the hub's zone is refused
# (https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone: system, none or a
# custom zone's resource id); a stack that is no spoke may hand its cluster its own hub's zone (prod does).
rows("spoke-api-zone-is-system", "spoke-a", {"cluster.privateDnsZone": "hub"}, {
    "a spoke's private cluster in the hub's zone": ({}, True),
    "a spoke's private cluster in AKS's zone": ({"cluster.privateDnsZone": "system"}, False),
    "a spoke's private cluster with no zone": ({"cluster.privateDnsZone": "none"}, False),
})
rows("spoke-api-zone-is-system", "spoke-a", {"cluster.privateDnsZone": "hub"}, {
    # A public cluster's API server has no private zone to keep (the same page): nothing to refuse.
    "a spoke's public cluster naming the hub's zone": (
        {"cluster.private": False, "cluster.authorizedIpRanges": ["203.0.113.0/24"]}, False),
})
rows("spoke-api-zone-is-system", "prod", {}, {"a standalone stack's cluster in its hub's zone": ({}, False)})

# A DNAT rule publishes on the firewall's public addresses
# (https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat): a spoke's would be the hub's.
_DNAT = [{"name": "web", "protocol": "TCP", "port": 443, "translatedAddress": "10.110.4.10", "translatedPort": 443}]
rows("spoke-publishes-nothing-on-the-hub", "spoke-a", {}, {
    "a spoke with a DNAT rule": ({"egress.firewall.dnatRules": _DNAT}, True),
    "a spoke without one": ({}, False),
})
rows("spoke-publishes-nothing-on-the-hub", "prod", {}, {
    "a standalone stack with a DNAT rule on its own firewall": (
        {"egress.firewall.dnatRules": [{**_DNAT[0], "translatedAddress": "10.240.5.10"}]}, False),
})


# Application Gateway for Containers
# (https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking): Azure CNI
# or CNI Overlay, not kubenet; its own subnet, delegated, "a /24 or larger" with Azure CNI, "exactly /24"
# with Overlay; the ALB Controller signs in through workload identity
# (https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller-helm);
# Overlay support is in preview (the same container-networking page). dev runs kubenet and Envoy Gateway.
_OVERLAY = {"cluster.networkPlugin": "azure", "cluster.networkPluginMode": "overlay"}
_AGC = {**_OVERLAY, "ingress.controller": "agc", "network.spoke.subnets.agc": "192.168.3.0/24",
        "cluster.workloadIdentity": True}
_CNI = {"cluster.networkPluginMode": _DROP, "cluster.podCidr": _DROP}  # Azure CNI without Overlay
rows("agc-needs-azure-cni", "dev", _AGC, {
    "agc on kubenet": ({"cluster.networkPlugin": "kubenet", "cluster.networkPluginMode": _DROP}, True),
    "agc on no plugin": ({"cluster.networkPlugin": "none", "cluster.networkPluginMode": _DROP}, True),
    "agc on CNI Overlay": ({}, False),
    "agc on Azure CNI": (_CNI, False),
})
rows("agc-needs-azure-cni", "dev", {}, {
    "envoyGateway on kubenet": ({}, False),
    "envoyGateway on no plugin": ({"cluster.networkPlugin": "none"}, False),
})
rows("agc-subnet", "dev", _AGC, {
    "agc without its subnet": ({"network.spoke.subnets.agc": _DROP}, True),
    "agc with Overlay, a /24": ({}, False),
    "agc with Overlay, a /23": ({"network.spoke.subnets.agc": "192.168.4.0/23"}, True),
    "agc with Overlay, a /25": ({"network.spoke.subnets.agc": "192.168.3.0/25"}, True),
    "agc with Azure CNI, a /23": ({**_CNI, "network.spoke.subnets.agc": "192.168.4.0/23"}, False),
    "agc with Azure CNI, a /24": (_CNI, False),
    "agc with Azure CNI, a /25": ({**_CNI, "network.spoke.subnets.agc": "192.168.3.0/25"}, True),
})
rows("agc-subnet", "dev", {}, {
    "envoyGateway with an AGC subnet": ({"network.spoke.subnets.agc": "192.168.3.0/24"}, True),
    "envoyGateway without one": ({}, False),
})
rows("agc-needs-workload-identity", "dev", _AGC, {
    "agc without workload identity": ({"cluster.workloadIdentity": False}, True),
    "agc with it": ({}, False),
})
rows("agc-needs-workload-identity", "dev", {}, {
    "envoyGateway without workload identity": ({"cluster.workloadIdentity": False}, False)})
rows("agc-overlay-preview", "dev", _AGC, {
    "agc on CNI Overlay": ({}, True),
    "agc on Azure CNI": (_CNI, False),
})
rows("agc-overlay-preview", "dev", _OVERLAY, {"envoyGateway on CNI Overlay": ({}, False)})

# Envoy Gateway v1.9 supports Kubernetes 1.33 to 1.36 (https://gateway.envoyproxy.io/news/releases/matrix/);
# ALB Controller 1.12.1 needs 1.32 or later
# (https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes);
# neither limit binds another controller.
rows("gateway-controller-supports-kubernetes", "dev", {}, {
    "envoyGateway on 1.32": ({"cluster.kubernetesVersion": "1.32"}, True),
    "envoyGateway on 1.33": ({"cluster.kubernetesVersion": "1.33"}, False),
    "envoyGateway on 1.36": ({}, False),
    "nginx on 1.32": ({"cluster.kubernetesVersion": "1.32", "ingress.controller": "nginx"}, False),
})
rows("gateway-controller-supports-kubernetes", "dev", _AGC, {
    "agc on 1.31": ({"cluster.kubernetesVersion": "1.31"}, True),
    "agc on 1.32": ({"cluster.kubernetesVersion": "1.32"}, False),
})
rows("gateway-controller-supports-kubernetes", "prod", {}, {
    "appgw on 1.31": ({"cluster.kubernetesVersion": "1.31"}, False),
})


# "System node pools require a VM SKU of at least 4 vCPUs and 4 GB of memory" and no B-series size; user
# pools are not bound (https://learn.microsoft.com/azure/aks/use-system-pools#system-and-user-node-pools).
# The sizes' figures are their series pages' (Ddsv5, Dsv5, Bsv2), as the catalog cites them.
_POOL = "cluster.nodePools[0]"
_USER = {"cluster.nodePools[1]": {"name": "user", "mode": "User", "vmSize": "Standard_D4ds_v5", "count": 1}}
rows("system-pool-vm-minimum", "dev", {}, {
    "System on 4 vCPUs, 16 GB": ({}, False),
    "System on 2 vCPUs, 8 GB": ({f"{_POOL}.vmSize": "Standard_D2ds_v5"}, True),
    "System on a B-series size of 4 vCPUs, 16 GB": ({f"{_POOL}.vmSize": "Standard_B4s_v2"}, True),
    "User on 2 vCPUs, 8 GB": ({**_USER, "cluster.nodePools[1].vmSize": "Standard_D2ds_v5"}, False),
    "User on a B-series size": ({**_USER, "cluster.nodePools[1].vmSize": "Standard_B4s_v2"}, False),
})
rows("vm-size-exists", "dev", {}, {
    "a size of no series": ({f"{_POOL}.vmSize": "Standard_D4ds_v9"}, True),
    "a size of the catalog": ({}, False),
})
# An ephemeral OS disk lives on the VM's cache or temporary disk and must fit it
# (https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks#size-requirements); Dsv5 sizes
# have no temporary disk ("Ephemeral OS Disk: Not Supported" on the dsv5-series page), Ddsv5's D4ds_v5
# has a 150 GiB one (ddsv5-series page).
_EPHEMERAL = {f"{_POOL}.osDiskType": "Ephemeral"}
rows("ephemeral-os-disk-needs-a-size-that-has-it", "dev", _EPHEMERAL, {
    "Ephemeral on Dsv5": ({f"{_POOL}.vmSize": "Standard_D4s_v5"}, True),
    "Ephemeral on Ddsv5": ({}, False),
    "Managed on Dsv5": ({f"{_POOL}.vmSize": "Standard_D4s_v5", f"{_POOL}.osDiskType": "Managed"}, False),
})
rows("ephemeral-os-disk-fits-the-local-disk", "dev", _EPHEMERAL, {
    "Ephemeral of 150 GB on a 150 GiB temporary disk": ({f"{_POOL}.osDiskSizeGB": 150}, False),
    "Ephemeral of 151 GB on it": ({f"{_POOL}.osDiskSizeGB": 151}, True),
    "Managed of 200 GB on it": ({f"{_POOL}.osDiskSizeGB": 200, f"{_POOL}.osDiskType": "Managed"}, False),
})


# One Ingress host and path has one backend: ingress-nginx's webhook refuses the second
# (https://kubernetes.github.io/ingress-nginx/how-it-works/#avoiding-outage-from-wrong-configuration);
# the same path under another host is another route. dev routes webapp.dev.example.com/a.
_ROUTE = {"name": "other", "namespace": "development", "host": "webapp.dev.example.com",
          "paths": [{"path": "/a", "app": "backend", "port": 80}]}
rows("one-route-per-host-and-path", "dev", {}, {
    "a second Ingress for the same host and path": ({"kubernetes.ingresses[1]": _ROUTE}, True),
    "a second Ingress for the same path of another host": (
        {"kubernetes.ingresses[1]": {**_ROUTE, "host": "other.dev.example.com"}}, False),
    # A Prefix path matches element-wise, a trailing slash ignored: /a/ and /a are one route
    # (https://kubernetes.io/docs/concepts/services-networking/ingress/#examples, "Prefix /aaa/bbb/ matches /aaa/bbb").
    "a second Ingress for the same path with a trailing slash": (
        {"kubernetes.ingresses[1]": {**_ROUTE, "paths": [{"path": "/a/", "app": "backend", "port": 80}]}}, True),
    "a second Ingress for another path of the same host": (
        {"kubernetes.ingresses[1]": {**_ROUTE, "paths": [{"path": "/c", "app": "backend", "port": 80}]}}, False),
})

# One load balancing rule answers a frontend address, protocol and port: Services share an internal
# address only on distinct ports (https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/#loadbalancer-sku).
# dev's internal-api claims 192.168.2.10 TCP/80.
_ILB = {"name": "second-api", "namespace": "development", "image": "nginxinc/nginx-unprivileged:1.27-alpine",
        "labels": {"app": "second-api"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        "writablePaths": ["/tmp"], "serviceType": "InternalLoadBalancer", "staticIp": "192.168.2.10"}
rows("one-claim-per-internal-address-and-port", "dev", {}, {
    "a second internal Service on the same address and port": ({"kubernetes.apps[4]": _ILB}, True),
    "on the same address, another port": (
        {"kubernetes.apps[4]": {**_ILB, "ports": [{"name": "http", "port": 81, "targetPort": 8080}]}}, False),
    "on another address, the same port": ({"kubernetes.apps[4]": {**_ILB, "staticIp": "192.168.2.11"}}, False),
})
# The application routing add-on's NGINX listens on 80 and 443 of its address
# (https://learn.microsoft.com/azure/aks/app-routing); with another controller no NGINX Service exists.
rows("one-claim-per-internal-address-and-port", "dev", {"ingress.nginx": {"staticIp": "192.168.2.10"}}, {
    "nginx on internal-api's address": ({"ingress.controller": "nginx"}, True),
    "nginx on another address": ({"ingress.controller": "nginx", "ingress.nginx": {"staticIp": "192.168.2.20"}},
                                 False),
    "envoyGateway, an nginx address left in the file": ({}, False),
})

# A Deployment's and a Service's selector pick every pod of their namespace carrying all its labels
# (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector,
# https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors: the
# requirements are ANDed). dev's backend carries app=webapp, role=backend; store carries app=vote, role=store.
_STORE = "kubernetes.apps[2]"
_TWIN = {**{k: v for k, v in _ILB.items() if k not in ("serviceType", "staticIp")}, "name": "twin",
         "labels": {"app": "webapp", "role": "backend"}}
rows("selectors-select-only-their-app", "dev", {}, {
    "store's labels all carried by backend's pods": ({f"{_STORE}.labels": {"app": "webapp"}}, True),
    "store's labels sharing one of two with backend's": ({f"{_STORE}.labels": {"app": "webapp", "role": "store"}},
                                                        False),
    "a new app with backend's labels, in backend's namespace": ({"kubernetes.apps[4]": _TWIN}, True),
    "a new app with backend's labels, in another namespace": (
        {"kubernetes.namespaces[1]": {"name": "other"}, "kubernetes.apps[4]": {**_TWIN, "namespace": "other"}},
        False),
})


@pytest.mark.parametrize("case", SPEC_ROWS)
def test_each_term_of_a_rule_holds(case: str) -> None:
    rule_id, stack, changes, expected = SPEC_ROWS[case]
    assert fires(rule_id, stack, changes) is expected, case


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_one_of_the_two_controller_support_rules_speaks_on_every_day(offset: int) -> None:
    """Envoy Gateway's pinned minor ends on 2027-02-14 (https://gateway.envoyproxy.io/news/releases/matrix/):
    up to that day the advisory names it, after it the refusal does; never both, never neither."""
    day = datetime.date(2027, 2, 14) + datetime.timedelta(days=offset)
    ended = fires("gateway-controller-end-of-life", "dev", {}, day)
    ending = fires("gateway-controller-support-ends", "dev", {}, day)
    assert (ended, ending) == ((True, False) if offset > 0 else (False, True))


def plan_fires(rule_id: str, stack: str, changes: dict[str, Any]) -> bool:
    """Whether a rule over the plan finds a problem in the stack varied by key path (that rule reporting only,
    so that the plan is made)."""
    config = variant(load(stack), {f"{C}{k}": v for k, v in changes.items()})
    loaded = load_stack(config, stack, TODAY, advisory=frozenset({rule_id}))
    return bool(BY_ID[rule_id].spec_problems(loaded.spec, TODAY, loaded.plan))


_ACROSS = {"name": "backend-to-elsewhere", "from": {"app": "backend", "namespace": "development"},
           "to": {"cidr": "10.120.4.10/32"}, "ports": ["TCP/8080"]}


@pytest.mark.parametrize("stack, changes, expected", [
    # A spoke's flow to another spoke's private range is walked by the landing zone, through the hub
    # (spoke-a's checkout-to-payments): its own path model, which ends at its VNet, does not refuse it.
    ("spoke-a", {}, False),
    # A standalone VNet has no route to a private range outside it: Azure's default routes send
    # 10.0.0.0/8 outside the VNet's own space to None
    # (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default).
    ("dev", {"kubernetes.flows[4]": _ACROSS}, True),
])
def test_only_a_spoke_leaves_its_flows_across_spokes_to_the_landing_zone(stack, changes, expected):
    assert plan_fires("declared-paths-arrive", stack, changes) is expected


def where(rule_id: str, stack: str, changes: dict[str, Any], today: datetime.date = TODAY) -> set[str]:
    """The key paths the rule, alone, finds a problem at."""
    spec = _spec(stack, json.dumps(changes, sort_keys=True))
    return {p.path.removeprefix(C) for p in BY_ID[rule_id].spec_problems(spec, today)}


# "On 31 March 2028, kubenet networking for AKS will be retired"
# (https://learn.microsoft.com/azure/aks/use-network-policies, https://learn.microsoft.com/azure/aks/upgrade-azure-cni):
# announced up to the day before, past its end from that day; a cluster without a network plugin (bring your
# own CNI) is not kubenet. dev runs kubenet.
@pytest.mark.parametrize("changes, day, announced, past", [
    ({}, datetime.date(2028, 3, 30), True, False),
    ({}, datetime.date(2028, 3, 31), False, True),
    ({"cluster.networkPlugin": "none"}, datetime.date(2028, 3, 30), False, False),
    ({"cluster.networkPlugin": "none"}, datetime.date(2028, 3, 31), False, False),
])
def test_kubenet_s_retirement_is_announced_then_past(changes, day, announced, past):
    assert ("cluster.networkPlugin" in where("lifecycle-announced-end", "dev", changes, day)) is announced
    assert ("cluster.networkPlugin" in where("lifecycle-past-end", "dev", changes, day)) is past


_END_136 = datetime.date(2027, 6, 30)
"""1.36's end of life on AKS: June 2027 (https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar)."""


@pytest.mark.parametrize("day", [_END_136 - datetime.timedelta(days=d) for d in (61, 60, 59, 1)])
def test_a_minor_s_end_is_announced_by_exactly_one_rule_every_day(day):
    """Up to WARN_DAYS before its end the announcement names the minor's end; in the last WARN_DAYS
    `kubernetes-version-ending-soon` does: on no day both or neither."""
    announced = "cluster.kubernetesVersion" in where("lifecycle-announced-end", "dev", {}, day)
    ending = "cluster.kubernetesVersion" in where("kubernetes-version-ending-soon", "dev", {}, day)
    assert announced != ending, day


@pytest.mark.parametrize("day, announced", [
    # 1.37 is GA on AKS from October 2026 (the release calendar above): from its first day, not before.
    (datetime.date(2026, 9, 30), False),
    (datetime.date(2026, 10, 1), True),
])
def test_a_minor_is_announced_from_its_ga_day(day, announced):
    assert ("cluster.kubernetesVersion" in where("lifecycle-announced-end", "dev",
                                                 {"cluster.kubernetesVersion": "1.37"}, day)) is announced


def test_the_announcement_names_the_next_minor_not_the_newest():
    """Minor versions upgrade one at a time
    (https://learn.microsoft.com/azure/aks/upgrade-aks-cluster: "skipping multiple versions can only be done
    when upgrading from an unsupported version"): on 2026-12-07 a 1.35 cluster moves to 1.36, not 1.37."""
    spec = _spec("dev", json.dumps({"cluster.kubernetesVersion": "1.35"}))
    [message] = [p.message for p in BY_ID["lifecycle-announced-end"].spec_problems(spec, TODAY)
                 if p.path == f"{C}cluster.kubernetesVersion"]
    assert "upgrade to 1.36 " in message and "1.37" not in message


# Guardrails over recorded resources: (rule id, resource type, camelCase props, whether it is reported).
_PRIVATE = {"apiServerAccessProfile": {"enablePrivateCluster": True}}
_POLICY = {"policySettings": {"state": "Enabled", "mode": "Prevention"}}
_HOSTS = [{"host": "a.example.com"}, {"host": "b.example.com"}]
_HTTPS = {"hostname": "a.example.com", "protocol": "HTTPS", "tls": {"certificateRefs": [{"name": "a"}]}}
GUARD_ROWS: dict[str, tuple[str, str, dict[str, Any], bool]] = {
    # https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges: a public API server is open to
    # every address unless ranges limit it; a private one has no public endpoint to limit.
    "private, no ranges": ("private-api-or-authorized-ranges", v.CLUSTER, _PRIVATE, False),
    "public, no ranges": ("private-api-or-authorized-ranges", v.CLUSTER, {}, True),
    "public, a /24": ("private-api-or-authorized-ranges", v.CLUSTER,
                      {"apiServerAccessProfile": {"authorizedIPRanges": ["203.0.113.0/24"]}}, False),
    "public, 0.0.0.0/0": ("private-api-or-authorized-ranges", v.CLUSTER,
                          {"apiServerAccessProfile": {"authorizedIPRanges": ["0.0.0.0/0"]}}, True),
    # https://learn.microsoft.com/azure/aks/use-network-policies: without a policy engine ("none", the
    # default when networkPolicy is not given) NetworkPolicies are not enforced.
    "networkPolicy none": ("network-policy-engine-set", v.CLUSTER, {"networkProfile": {"networkPolicy": "none"}}, True),
    "networkPolicy not given": ("network-policy-engine-set", v.CLUSTER, {"networkProfile": {}}, True),
    "networkPolicy calico": ("network-policy-engine-set", v.CLUSTER, {"networkProfile": {"networkPolicy": "calico"}},
                             False),
    # https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad: local accounts are on unless
    # disableLocalAccounts is true.
    "disableLocalAccounts not given": ("local-accounts-disabled", v.CLUSTER, {}, True),
    "disableLocalAccounts false": ("local-accounts-disabled", v.CLUSTER, {"disableLocalAccounts": False}, True),
    "disableLocalAccounts true": ("local-accounts-disabled", v.CLUSTER, {"disableLocalAccounts": True}, False),
    # https://learn.microsoft.com/azure/aks/availability-zones: a pool, firewall or gateway in one zone (a zone
    # listed twice is one zone) falls with it.
    "cluster pool in zones 1, 1": ("zones-in-production", v.CLUSTER,
                                   {"agentPoolProfiles": [{"name": "s", "availabilityZones": ["1", "1"]}]}, True),
    "cluster pool in zones 1, 2": ("zones-in-production", v.CLUSTER,
                                   {"agentPoolProfiles": [{"name": "s", "availabilityZones": ["1", "2"]}]}, False),
    "agent pool in zone 1": ("zones-in-production", v.AGENT_POOL, {"availabilityZones": ["1"]}, True),
    "agent pool in zones 1, 2": ("zones-in-production", v.AGENT_POOL, {"availabilityZones": ["1", "2"]}, False),
    "firewall in zone 1": ("zones-in-production", v.FIREWALL, {"zones": ["1"]}, True),
    "application gateway in zone 1": ("zones-in-production", v.APP_GATEWAY, {"zones": ["1"]}, True),
    "application gateway in zones 1, 2, 3": ("zones-in-production", v.APP_GATEWAY, {"zones": ["1", "2", "3"]}, False),
    # https://learn.microsoft.com/azure/firewall/firewall-faq (AzureFirewallSubnet takes no NSG),
    # https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub (nor GatewaySubnet).
    "nodes subnet without an NSG": ("nsg-on-every-subnet", v.SUBNET, {"subnetName": "nodes"}, True),
    "nodes subnet with one": ("nsg-on-every-subnet", v.SUBNET,
                              {"subnetName": "nodes", "networkSecurityGroup": {"id": "/nsg"}}, False),
    "AzureFirewallSubnet without one": ("nsg-on-every-subnet", v.SUBNET, {"subnetName": "AzureFirewallSubnet"}, False),
    "GatewaySubnet without one": ("nsg-on-every-subnet", v.SUBNET, {"subnetName": "GatewaySubnet"}, False),
    # https://learn.microsoft.com/azure/firewall/threat-intel: on by default in alert mode, which only logs.
    "threat intelligence not given": ("firewall-threat-intel-deny", v.FIREWALL_POLICY, {}, True),
    "threat intelligence Alert": ("firewall-threat-intel-deny", v.FIREWALL_POLICY, {"threatIntelMode": "Alert"}, True),
    "threat intelligence Deny": ("firewall-threat-intel-deny", v.FIREWALL_POLICY, {"threatIntelMode": "Deny"}, False),
    # https://learn.microsoft.com/azure/firewall/policy-rule-sets: rules live in the policy's rule collection
    # groups; classic collections of any kind (NAT included) are the old model.
    "firewall with a policy": ("firewall-uses-policy", v.FIREWALL, {"firewallPolicy": {"id": "/p"}}, False),
    "firewall with a policy and classic NAT rules": (
        "firewall-uses-policy", v.FIREWALL, {"firewallPolicy": {"id": "/p"}, "natRuleCollections": [{"name": "n"}]},
        True),
    "firewall without a policy": ("firewall-uses-policy", v.FIREWALL, {}, True),
    # https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview: a WAF policy blocks only
    # when enabled and in Prevention mode; the gateway takes one on the WAF_v2 tier.
    "WAF enabled, Prevention": ("waf-prevention", v.WAF_POLICY, _POLICY, False),
    "WAF enabled, Detection": ("waf-prevention", v.WAF_POLICY,
                               {"policySettings": {"state": "Enabled", "mode": "Detection"}}, True),
    "WAF disabled, Prevention": ("waf-prevention", v.WAF_POLICY,
                                 {"policySettings": {"state": "Disabled", "mode": "Prevention"}}, True),
    "WAF_v2 gateway with a policy": ("waf-prevention", v.APP_GATEWAY,
                                     {"sku": {"name": "WAF_v2"}, "firewallPolicy": {"id": "/w"}}, False),
    "WAF_v2 gateway without one": ("waf-prevention", v.APP_GATEWAY, {"sku": {"name": "WAF_v2"}}, True),
    "Standard_v2 gateway with one": ("waf-prevention", v.APP_GATEWAY,
                                     {"sku": {"name": "Standard_v2"}, "firewallPolicy": {"id": "/w"}}, True),
    # https://www.pulumi.com/docs/concepts/secrets/: a secret's value in plain text; Pulumi shows a secret as
    # [secret], and an empty value holds none.
    "a plain password": ("no-plain-secrets", v.CLUSTER, {"profile": {"adminPassword": "hunter2"}}, True),
    "a client secret in a list": ("no-plain-secrets", v.CLUSTER, {"profiles": [{"clientSecret": "abc"}]}, True),
    "a password shown as [secret]": ("no-plain-secrets", v.CLUSTER, {"profile": {"adminPassword": "[secret]"}}, False),
    "an empty password": ("no-plain-secrets", v.CLUSTER, {"profile": {"adminPassword": ""}}, False),
    # https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation
    "the ingress.class annotation": ("no-ingress-class-annotation", v.INGRESS,
                                     {"metadata": {"annotations": {"kubernetes.io/ingress.class": "nginx"}}}, True),
    "ingressClassName": ("no-ingress-class-annotation", v.INGRESS, {"spec": {"ingressClassName": "nginx"}}, False),
    # https://kubernetes.io/docs/concepts/services-networking/ingress/#tls and #name-based-virtual-hosting: a rule
    # without a host answers any name; TLS covers the hosts its entries list.
    "two hosts, both under TLS": ("ingress-host-and-tls", v.INGRESS,
                                  {"spec": {"rules": _HOSTS, "tls": [{"hosts": ["a.example.com", "b.example.com"]}]}},
                                  False),
    "two hosts, one under TLS": ("ingress-host-and-tls", v.INGRESS,
                                 {"spec": {"rules": _HOSTS, "tls": [{"hosts": ["a.example.com"]}]}}, True),
    "one of two rules without a host, AGIC's certificate": (
        "ingress-host-and-tls", v.INGRESS, {"metadata": {"annotations": {v.AGIC_SSL_CERTIFICATE: "shop-tls"}},
                                            "spec": {"rules": [{"host": "a.example.com"}, {}]}}, True),
    "no rules at all": ("ingress-host-and-tls", v.INGRESS, {"spec": {"tls": [{"hosts": ["a.example.com"]}]}}, True),
    # AGIC serves every host with the gateway's certificate named by the annotation
    # (https://azure.github.io/application-gateway-kubernetes-ingress/annotations/#appgw-ssl-certificate).
    "two hosts, AGIC's certificate": (
        "ingress-host-and-tls", v.INGRESS,
        {"metadata": {"annotations": {v.AGIC_SSL_CERTIFICATE: "shop-tls"}}, "spec": {"rules": _HOSTS}}, False),
    # https://gateway-api.sigs.k8s.io/guides/tls/: an HTTPS listener terminates TLS with its certificateRefs.
    "an HTTPS listener with a certificate": ("gateway-host-and-tls", v.GATEWAY, {"spec": {"listeners": [_HTTPS]}},
                                             False),
    "an HTTPS listener without one": ("gateway-host-and-tls", v.GATEWAY,
                                      {"spec": {"listeners": [{**_HTTPS, "tls": {}}]}}, True),
    "an HTTP listener naming a certificate": ("gateway-host-and-tls", v.GATEWAY,
                                              {"spec": {"listeners": [{**_HTTPS, "protocol": "HTTP"}]}}, True),
    "one of two listeners without a hostname": (
        "gateway-host-and-tls", v.GATEWAY,
        {"spec": {"listeners": [_HTTPS, {k: x for k, x in _HTTPS.items() if k != "hostname"}]}}, True),
}


def _collect(found: list[str]) -> Any:
    def report(message: str, urn: str | None = None) -> None:
        found.append(message)
    return report


@pytest.mark.parametrize("case", GUARD_ROWS)
def test_each_term_of_a_guardrail_holds(case: str) -> None:
    rule_id, resource_type, props, expected = GUARD_ROWS[case]
    found: list[str] = []
    check = BY_ID[rule_id].resource
    assert check is not None
    check(RecordedResource(resource_type, "r", "urn:r", props), _collect(found))
    assert bool(found) is expected, (case, found)


def _deployment(namespace: str | None) -> RecordedResource:
    meta = {"name": "web"} if namespace is None else {"name": "web", "namespace": namespace}
    return RecordedResource(v.DEPLOYMENT, "d", "urn:d", {"metadata": meta})


def _deny(namespace: str, types: list[str]) -> RecordedResource:
    return RecordedResource(v.NETWORK_POLICY, "p", "urn:p", {"metadata": {"name": "deny", "namespace": namespace},
                                                            "spec": {"podSelector": {}, "policyTypes": types}})


# https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies: a policy selecting
# every pod with no rules denies the directions its policyTypes name; an object without a namespace is in
# `default`, one of Kubernetes' own namespaces, which the platform keeps.
@pytest.mark.parametrize("resources, reported", [
    ([_deployment("shop"), _deny("shop", ["Ingress", "Egress"])], False),
    ([_deployment("shop"), _deny("shop", ["Egress"])], True),
    ([_deployment("shop"), _deny("shop", ["Ingress"])], True),
    ([_deployment("shop"), _deny("other", ["Ingress", "Egress"])], True),
    ([_deployment("kube-system")], False),
    ([_deployment(None)], False),
])
def test_a_namespace_is_default_deny_only_both_ways(resources, reported):
    found: list[str] = []
    check = BY_ID["default-deny-per-app-namespace"].stack
    assert check is not None
    check(RecordedStack(resources), _collect(found))
    assert bool(found) is reported, found


def test_the_selector_refused_is_the_one_whose_labels_another_app_carries():
    """store's selector app=webapp picks backend's pods (app=webapp, role=backend); backend's selector does not
    pick store's (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors)."""
    assert where("selectors-select-only-their-app", "dev", {f"{_STORE}.labels": {"app": "webapp"}}) == \
        {f"{_STORE}.labels"}


def _pod_ports(*ports: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web", "ports": list(ports)}]}}}}


def _service_ports(*ports: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": list(ports)}}


# A container's ports and a Service's ports are list maps keyed by port and protocol, the protocol defaulting to
# TCP (the Kubernetes OpenAPI: x-kubernetes-list-map-keys [containerPort, protocol] and [port, protocol];
# https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy): a port without a protocol
# is the same entry as the port with TCP, and another protocol is another entry.
@pytest.mark.parametrize("manifest, repeated", [
    (_pod_ports({"containerPort": 80}, {"containerPort": 80, "protocol": "TCP"}), True),
    (_pod_ports({"containerPort": 80}, {"containerPort": 80, "protocol": "UDP"}), False),
    (_pod_ports({"containerPort": 80}, {"containerPort": 81}), False),
    (_service_ports({"port": 53, "protocol": "TCP"}, {"port": 53}), True),
    (_service_ports({"port": 53, "protocol": "UDP"}, {"port": 53}), False),
])
def test_a_list_map_key_takes_its_default(manifest, repeated):
    assert bool(list(duplicate_list_map_entries(manifest))) is repeated
