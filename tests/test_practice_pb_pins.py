"""Facts a practice set of independent mutants (issue 27, set "pb") showed no behavioural test pinned.

Each table below pins one class of fact a survivor belonged to, with the expected values taken from
the page cited beside it, never from running our code: the addresses each subnet role needs (the
address plan's `needed` column and its refusals), the protocols and port bounds a path query accepts,
and the rest listed per section. Pure: readers, rules and planners only, no program run.
"""

from __future__ import annotations

from typing import Any

import pytest

from aksnet.analysis.path_report import parse_port
from aksnet.plan.addressing import plan_addresses
from tests.stacks import DELETE, load, validate_stack_config, variant

C = "aks-networking:"


def _needed(stack: str, changes: dict[str, Any]) -> dict[str, int | None]:
    """The address plan's `needed` column by subnet role, for a committed stack varied by key path."""
    spec = validate_stack_config(variant(load(stack), {f"{C}{k}": v for k, v in changes.items()}), stack)
    return {row.role.split()[1]: row.needed for row in plan_addresses(spec).rows if row.role.startswith("subnet ")}


# Addresses a subnet role needs at the design's largest ------------------------------------------------
# (stack, changes, subnet role, addresses needed, source)
NEEDS: dict[str, tuple[str, dict[str, Any], str, int, str]] = {
    # A registry behind a private endpoint is reached at its login server and at its regional data
    # endpoint <registry>.<region>.data.azurecr.io: two records, two private addresses of the subnet.
    "registry: login server and data endpoint": (
        "prod", {"tls": DELETE, "kubernetes.ingresses[0].tlsSecret": DELETE}, "endpoints", 2,
        "https://learn.microsoft.com/azure/container-registry/container-registry-dedicated-data-endpoints"),
    # A key vault's private endpoint (sub-resource `vault`) takes one more private address.
    "registry and key vault": (
        "prod", {}, "endpoints", 3,
        "https://learn.microsoft.com/azure/key-vault/general/private-link-service"),
    # The firewall takes one private address of AzureFirewallSubnet (the spokes' next hop).
    "firewall private address": (
        "prod", {}, "AzureFirewallSubnet", 1,
        "https://learn.microsoft.com/azure/firewall/firewall-faq"),
    # Application Gateway v2: one private address per instance, and one more for a private frontend.
    "gateway at max capacity, public frontend only": (
        "prod", {}, "appgw", 10,
        "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#size-of-the-subnet"),
    "gateway at max capacity plus a private frontend": (
        "prod", {"ingress.appGateway.privateIp": "10.240.4.10"}, "appgw", 11,
        "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#size-of-the-subnet"),
}


@pytest.mark.parametrize("case", NEEDS, ids=list(NEEDS))
def test_each_subnet_role_needs_the_addresses_its_services_take(case: str) -> None:
    stack, changes, role, expected, _source = NEEDS[case]
    assert _needed(stack, changes)[role] == expected


# Protocols and ports a path query names ---------------------------------------------------------------
# Kubernetes Services, container ports and NetworkPolicies carry TCP, UDP and SCTP; a port is 1-65535.
# https://kubernetes.io/docs/concepts/services-networking/network-policies/#network-traffic-filtering
# https://kubernetes.io/docs/reference/networking/service-protocols/
PORTS: list[tuple[str, tuple[str, int] | None]] = [
    ("TCP/443", ("TCP", 443)), ("UDP/53", ("UDP", 53)), ("SCTP/9", ("SCTP", 9)), ("sctp/36412", ("SCTP", 36412)),
    ("TCP/1", ("TCP", 1)), ("TCP/65535", ("TCP", 65535)), ("TCP/0", None), ("UDP/65536", None),
    ("ICMP/8", None), ("HTTP/80", None), ("TCP/", None), ("443", None),
]


@pytest.mark.parametrize(("text", "expected"), PORTS, ids=[t for t, _ in PORTS])
def test_a_path_query_takes_the_protocols_kubernetes_carries_and_ports_1_to_65535(
        text: str, expected: tuple[str, int] | None) -> None:
    assert parse_port(text) == expected


# A spoke's routes to the other spokes ----------------------------------------------------------------
# A route table holds at most 400 routes
# (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#networking-limits),
# and Azure picks the longest prefix that matches, so one route for adjacent ranges sends the same packets
# as one route each (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route).

def _attachment_routes(spokes: dict[str, list[str]], me: str) -> list[str]:
    from types import SimpleNamespace

    from aksnet.plan.landing_zone import read_registry, spoke_attachment
    document = {"hub": {"stack": "hub/Pulumi.hub.yaml", "owner": "network", "addressSpace": ["10.100.0.0/24"]},
                "spokes": {name: {"stack": f"Pulumi.{name}.yaml", "owner": "team", "addressSpace": spaces,
                                  "ruleCollectionPriorities": [1000 + 10 * i, 1009 + 10 * i]}
                           for i, (name, spaces) in enumerate(spokes.items())}}
    spec = SimpleNamespace(landing_zone=SimpleNamespace(name=me, rule_collection_priority=None),
                           cluster=SimpleNamespace(private=False, private_dns_zone="system",
                                                   api_server_vnet_integration=False),
                           environment=SimpleNamespace(location="westeurope"), registry=None, tls=None)
    attachment = spoke_attachment(spec, SimpleNamespace(firewall=None), read_registry(document, "landing-zone.yaml"))
    return [prefix for _name, prefix in attachment.routes]


def test_many_adjacent_spokes_fit_one_route_table_and_cover_every_other_spoke_alone() -> None:
    import ipaddress
    spokes = {f"spoke-{i}": [f"10.{130 + i // 256}.{i % 256}.0/24"] for i in range(512)}
    routes = _attachment_routes(spokes, "spoke-0")
    assert len(routes) <= 400
    covered = {address for prefix in routes for address in ipaddress.ip_network(prefix).subnets(new_prefix=24)}
    expected = {ipaddress.ip_network(s[0]) for name, s in spokes.items() if name != "spoke-0"}
    assert covered == expected  # every other spoke, and never the spoke's own range


def test_two_adjacent_spokes_are_one_route_and_a_distant_one_its_own() -> None:
    routes = _attachment_routes({"spoke-a": ["10.110.0.0/16"], "spoke-b": ["10.120.0.0/16"],
                                 "spoke-c": ["10.121.0.0/16"], "spoke-d": ["10.140.0.0/16"]}, "spoke-a")
    assert sorted(routes) == ["10.120.0.0/15", "10.140.0.0/16"]


# Where each workload kind keeps its pods' labels -------------------------------------------------------
# A controller's pods carry the labels of its pod template: `.spec.template` for Deployment, StatefulSet,
# DaemonSet, ReplicaSet, Job and ReplicationController, `.spec.jobTemplate.spec.template` for a CronJob.
# https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#writing-a-cronjob-spec
# https://kubernetes.io/docs/concepts/workloads/pods/#pod-templates
_TEMPLATE = {"metadata": {"labels": {"app": "worker"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
WORKLOADS: dict[str, tuple[str, dict[str, Any]]] = {
    "Deployment": ("apps/v1", {"selector": {"matchLabels": {"app": "worker"}}, "template": _TEMPLATE}),
    "StatefulSet": ("apps/v1", {"selector": {"matchLabels": {"app": "worker"}}, "serviceName": "w",
                                "template": _TEMPLATE}),
    "DaemonSet": ("apps/v1", {"selector": {"matchLabels": {"app": "worker"}}, "template": _TEMPLATE}),
    "ReplicaSet": ("apps/v1", {"selector": {"matchLabels": {"app": "worker"}}, "template": _TEMPLATE}),
    "ReplicationController": ("v1", {"selector": {"app": "worker"}, "template": _TEMPLATE}),
    "Job": ("batch/v1", {"template": _TEMPLATE}),
    "CronJob": ("batch/v1", {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": _TEMPLATE}}}),
}


def _policy(spec: dict[str, Any], api_version: str = "networking.k8s.io/v1") -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "x"},
            "spec": spec}


def _objects(workload: dict[str, Any], *policies: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}, workload,
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "x", "labels": {"app": "web"}},
             "spec": {"containers": [{"name": "c", "image": "i"}]}}, *policies]


@pytest.mark.parametrize("kind", WORKLOADS)
def test_a_policy_selects_a_workloads_pods_by_its_pod_template_labels(kind: str) -> None:
    from aksnet.analysis.reachability.evaluate import evaluate
    from aksnet.analysis.reachability.manifests import cluster_from_objects
    api_version, spec = WORKLOADS[kind]
    workload = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "worker", "namespace": "x"},
                "spec": spec}
    # Egress isolation of the template's pods, with no egress rule: they reach nothing; web is untouched.
    cluster, errors = cluster_from_objects(_objects(workload, _policy(
        {"podSelector": {"matchLabels": {"app": "worker"}}, "policyTypes": ["Egress"]})))
    assert errors == []
    result = evaluate(cluster, externals=False)
    assert not result.allowed_between("x/worker", "x/web").ranges
    assert result.allowed_between("x/web", "x/worker").ranges


# The API version a NetworkPolicy is served at ----------------------------------------------------------
# NetworkPolicy is served at networking.k8s.io/v1 only: extensions/v1beta1 stopped being served in 1.16.
# https://kubernetes.io/blog/2019/07/18/api-deprecations-in-1-16/
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
API_VERSIONS = [("networking.k8s.io/v1", True), ("extensions/v1beta1", False), ("networking.k8s.io/v1beta1", False),
                ("v1", False), (None, False)]


@pytest.mark.parametrize(("api_version", "served"), API_VERSIONS, ids=[str(v) for v, _ in API_VERSIONS])
def test_a_network_policy_is_read_only_at_the_api_version_kubernetes_serves(api_version: str | None,
                                                                            served: bool) -> None:
    from aksnet.analysis.reachability.manifests import cluster_from_objects
    policy = _policy({"podSelector": {}, "policyTypes": ["Ingress"]}, api_version)  # type: ignore[arg-type]
    cluster, errors = cluster_from_objects(_objects({"apiVersion": "v1", "kind": "Namespace",
                                                     "metadata": {"name": "y"}}, policy))
    assert (len(cluster.policies), len(errors)) == ((1, 0) if served else (0, 1))


# What a refused DNS service address is, and what to use instead --------------------------------------
# AKS: the DNS service IP lies inside the service CIDR and is not its first address, which the
# `kubernetes` Service of the API server takes; `.10` is the convention
# (https://learn.microsoft.com/azure/aks/configure-kubenet#create-an-aks-cluster-in-the-virtual-network,
# https://learn.microsoft.com/azure/aks/configure-azure-cni). Kubernetes hands out neither the network nor
# the broadcast address of an IPv4 service range
# (https://kubernetes.io/docs/concepts/services-networking/cluster-ip-allocation/).
# (dnsServiceIp, facts the message names, a name it must not give the address's owner)
DNS_ADDRESSES: list[tuple[str, tuple[str, ...], str | None]] = [
    ("172.16.0.1", ("172.16.0.1", "first address", "kubernetes service", "172.16.0.10"), "dns"),
    ("172.16.0.0", ("172.16.0.0", "network address", "172.16.0.10"), None),
    ("172.16.255.255", ("172.16.255.255", "last address", "172.16.0.10"), None),
    ("172.17.0.10", ("outside the service CIDR 172.16.0.0/16", "172.16.0.10"), None),
]


@pytest.mark.parametrize(("address", "facts", "not_named"), DNS_ADDRESSES, ids=[a for a, _, _ in DNS_ADDRESSES])
def test_a_refused_dns_service_address_says_whose_it_is_and_suggests_the_tenth(
        address: str, facts: tuple[str, ...], not_named: str | None) -> None:
    from tests.test_message_pins import refusals
    [(path, message)] = refusals("prod", {"cluster.dnsServiceIp": address})
    assert path == "cluster.dnsServiceIp"
    assert all(fact in message for fact in facts), message
    assert not_named is None or not_named not in message.lower(), message
