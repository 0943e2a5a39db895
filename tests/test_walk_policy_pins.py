"""Pins the NetworkPolicy evaluator, the intent check and the path report's parsing on the branches
the committed stacks never write: explicit `policyTypes` beside the other section, selector operators
on labels whose value is empty, operators a label selector does not have, and the like.

Each row states what the Kubernetes API reference (or the page cited beside it) says the policy
allows, never what our engine printed; each row fails under one realistic one-place mistake in
`aksnet/analysis/reachability/`, `aksnet/analysis/intent.py` or `aksnet/analysis/path_report.py`.
Clusters are a handful of pods, so the module runs in well under a second.
"""

from __future__ import annotations

import ipaddress

import pytest

from aksnet.analysis.intent import check_intent
from aksnet.analysis.reachability import cluster_from_objects, evaluate
from aksnet.config.workloads import App, ContainerPort, Endpoint, Flow, PortRange, Workloads
from aksnet.plan.netpol import compile_policies
from tests.test_reachability import deploy, ns, policy

NP_SPEC = "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec"
SELECTOR = "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/"
SET_BASED = "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#set-based-requirement"
NAME_LABEL = "https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name"

# Two namespaces, three apps; pods carry no IP unless a row gives one.
BASE = [
    ns("a", team="a"), ns("b", team="b"),
    deploy("a", "web", {"app": "web"}),
    deploy("a", "db", {"app": "db", "tier": "data"}),
    deploy("b", "client", {"app": "client"}),
]


def ports_between(objects, source, destination):
    """What the engine allows from one pod to another: "all", a sorted list such as ["TCP/80"], or []."""
    cluster, errors = cluster_from_objects([*BASE, *objects])
    assert errors == [], errors
    allowed = evaluate(cluster).allowed_between(source, destination)
    return allowed.describe() if allowed else []


# policyTypes, given explicitly, decides which sections count ---------------------------------------
# NetworkPolicySpec.policyTypes: "List of rule types that the NetworkPolicy relates to"; a section of a
# type the list leaves out is not applied, so its pods are not isolated in that direction (NP_SPEC).
POLICY_TYPE_ROWS = [
    # policyTypes [Ingress] with an egress section: the egress rules are not applied, web sends anywhere.
    ("ingress-only-ignores-egress-section",
     [policy("a", "p", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
                        "ingress": [{}], "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}]})],
     "a/web", "b/client", "all"),
    # policyTypes [Egress] with an ingress section: the ingress rules are not applied, web accepts anyone.
    ("egress-only-ignores-ingress-section",
     [policy("a", "p", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                        "egress": [{}], "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "db"}}}]}]})],
     "b/client", "a/web", "all"),
]


@pytest.mark.parametrize("objects, source, destination, expected",
                         [row[1:] for row in POLICY_TYPE_ROWS], ids=[row[0] for row in POLICY_TYPE_ROWS])
def test_explicit_policy_types_decide_which_sections_apply(objects, source, destination, expected):
    assert ports_between(objects, source, destination) == expected


# Label selectors ----------------------------------------------------------------------------------
# Set-based requirements (SET_BASED): Exists asks for the key whatever its value; DoesNotExist for its
# absence, so a label whose value is empty still exists and DoesNotExist does not select its pod.
SELECTOR_ROWS = [
    ("does-not-exist-skips-an-empty-valued-label",
     [deploy("a", "canary", {"app": "canary", "canary": ""}),
      policy("a", "p", {"podSelector": {"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]},
                        "ingress": []})],
     "b/client", "a/canary", "all"),
    # The API server labels every namespace kubernetes.io/metadata.name=<its name> (NAME_LABEL), so a
    # namespaceSelector on that label selects a namespace whose Namespace object the manifests leave out.
    ("name-label-of-a-namespace-the-manifests-do-not-declare",
     [deploy("c", "job", {"app": "job"}),
      policy("a", "p", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"from": [
          {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "c"}}}]}]})],
     "c/job", "a/web", "all"),
    ("does-not-exist-selects-a-pod-without-the-key",
     [deploy("a", "canary", {"app": "canary", "canary": ""}),
      policy("a", "p", {"podSelector": {"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]},
                        "ingress": []})],
     "b/client", "a/web", []),
]


@pytest.mark.parametrize("objects, source, destination, expected",
                         [row[1:] for row in SELECTOR_ROWS], ids=[row[0] for row in SELECTOR_ROWS])
def test_selector_operators_select_as_the_labels_page_says(objects, source, destination, expected):
    assert ports_between(objects, source, destination) == expected


def _two_containers():
    pod = deploy("a", "sidecar", {"app": "sidecar"}, [("http", 80, "TCP")])
    pod["spec"]["template"]["spec"]["containers"].append(
        {"name": "exporter", "image": "exporter", "ports": [{"name": "metrics", "containerPort": 9090}]})
    return pod


NO_NAMESPACE = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p"},
                "spec": {"podSelector": {}, "ingress": []}}
POD_ROWS = [
    # A named port is a port of the pod (NetworkPolicyPort, NP_SPEC): any of its containers may declare it.
    ("named-port-of-the-second-container",
     [_two_containers(), policy("a", "p", {"podSelector": {"matchLabels": {"app": "sidecar"}},
                                           "ingress": [{"ports": [{"port": "metrics"}]}]})],
     "b/client", "a/sidecar", ["TCP/9090"]),
    # An object read without metadata.namespace lives in `default`, as kubectl and the API place it
    # (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#not-all-objects-are-in-a-namespace):
    # the policy isolates default's pods and no other namespace's.
    ("policy-without-namespace-isolates-default", [deploy("default", "x", {"app": "x"}), NO_NAMESPACE],
     "b/client", "default/x", []),
    ("policy-without-namespace-leaves-other-namespaces", [deploy("default", "x", {"app": "x"}), NO_NAMESPACE],
     "default/x", "a/web", "all"),
]


@pytest.mark.parametrize("objects, source, destination, expected",
                         [row[1:] for row in POD_ROWS], ids=[row[0] for row in POD_ROWS])
def test_pods_and_policies_are_read_as_the_api_holds_them(objects, source, destination, expected):
    assert ports_between(objects, source, destination) == expected


# What the API server refuses, the engine refuses too (one line naming the object) -------------------
REFUSED_ROWS = [
    # LabelSelectorRequirement: "Valid operators are In, NotIn, Exists and DoesNotExist" (SELECTOR); Gt and
    # Lt belong to node selectors only.
    ("gt-is-not-a-label-selector-operator",
     {"podSelector": {"matchExpressions": [{"key": "tier", "operator": "Gt", "values": ["1"]}]}, "ingress": []},
     "Gt"),
    ("lt-is-not-a-label-selector-operator",
     {"podSelector": {}, "ingress": [{"from": [{"podSelector": {"matchExpressions": [
         {"key": "tier", "operator": "Lt", "values": ["1"]}]}}]}]},
     "Lt"),
]


@pytest.mark.parametrize("spec, fragment", [row[1:] for row in REFUSED_ROWS], ids=[row[0] for row in REFUSED_ROWS])
def test_policies_the_api_server_refuses_are_refused(spec, fragment):
    _, errors = cluster_from_objects([*BASE, policy("a", "bad", spec)])
    assert len(errors) == 1 and errors[0].startswith("NetworkPolicy a/bad: ") and fragment in errors[0], errors


# The intent check ---------------------------------------------------------------------------------
# What the stack's policies allow against what it declares. `defaultDeny` (docs/configuration.md) is
# "default deny for ingress and egress in every namespace that runs apps, with DNS to kube-system
# allowed": only then does the stack claim every connection of its apps, and only then is DNS its due.
NET = ipaddress.IPv4Network
ISOLATION = "https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation"
NAMED_PORT = "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicyPort"


def shop_app(name: str) -> App:
    return App(name=name, namespace="shop", image="nginx", labels={"app": name}, ports=(ContainerPort("http", 80),),
               replicas=1, service_type="ClusterIP")


SHOP = (shop_app("web"), shop_app("api"))


def intent(flows=(), literal=(), default_deny=True, published=()):
    """The intent check of the shop's two apps: their Deployments, the policies the flows compile to
    (`published` ones included, as the plan compiles them) and any literal policies."""
    workloads = Workloads(apps=SHOP, flows=tuple(flows), default_deny=default_deny)
    pods = [ns("shop"), *(deploy("shop", a.name, dict(a.labels), [("http", 80, "TCP")]) for a in SHOP)]
    compiled = [m for _, m in compile_policies(workloads, None, [("published", f) for f in published])]
    return check_intent(workloads, [*pods, *compiled, *literal], None, published)


def test_without_default_deny_the_open_connections_are_not_unintended_and_an_isolated_source_keeps_dns():
    # No policy at all: every pod sends and accepts everything (ISOLATION); the stack declared no
    # default deny, so none of it is unintended, and no DNS is owed.
    check = intent(default_deny=False)
    assert check.allowed and check.unintended == [] and check.missing == []
    # An egress flow's policy isolates web's egress (ISOLATION): whatever it does not allow is closed,
    # name lookups included, so web could not resolve its destination. The flow's policy lets DNS to
    # kube-system's DNS pods out too, and the intent check owes it.
    out = Flow("out", Endpoint(app="web", namespace="shop"), Endpoint(cidr=NET("10.50.0.0/16")),
               (PortRange("TCP", 443),))
    check = intent([out], default_deny=False)
    assert check.missing == [] and check.unintended == []
    allowed = {(a["from"], a["to"]): a["ports"] for a in check.allowed}
    assert ("shop/web", "10.50.0.0/16") in allowed
    dns = allowed[("shop/web", "kube-system/coredns")]
    assert "UDP" in str(dns) and "TCP" in str(dns) and "53" in str(dns), dns
    # api sends nothing declared: its egress stays open, to DNS as to everything.
    assert ("shop/api", "kube-system/coredns") in allowed


def test_an_app_sending_beyond_its_flows_is_unintended_whatever_the_destination():
    """A literal egress policy letting web reach an outside range nobody declared: the policies' union
    allows it (ISOLATION), and the app is the stack's, so the opening is reported."""
    extra = policy("shop", "extra", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                                     "egress": [{"to": [{"ipBlock": {"cidr": "10.60.0.0/16"}}],
                                                 "ports": [{"port": 5432}]}]})
    check = intent(literal=[extra])
    assert check.unintended == [{"from": "shop/web", "to": "10.60.0.0/16", "ports": ["TCP/5432"]}]
    assert check.missing == []


def test_a_namespace_flow_to_itself_owes_no_pod_a_connection_to_itself():
    """A flow from the shop namespace to the shop namespace: each app reaches the other; a pod reaching
    itself is not the policies' business (they cannot block loopback,
    https://kubernetes.io/docs/concepts/services-networking/network-policies/#what-you-can-t-do-with-network-policies-at-least-not-yet)."""
    check = intent([Flow("mesh", Endpoint(namespace="shop"), Endpoint(namespace="shop"), (PortRange("TCP", 80),))])
    assert check.missing == [] and check.unintended == []
    allowed = {(a["from"], a["to"]): a["ports"] for a in check.allowed}
    assert allowed[("shop/web", "shop/api")] == allowed[("shop/api", "shop/web")] == ["TCP/80"]


def test_a_flow_other_layers_publish_is_intended():
    """A firewall DNAT rule's flow (the firewall's subnet to the app, aksnet.plan.manifests.published_flows)
    is compiled into the app's ingress policy; the check counts it as declared, not as an opening."""
    dnat = Flow("dnat-public", Endpoint(cidr=NET("10.200.0.0/26")), Endpoint(app="web", namespace="shop"),
                (PortRange("TCP", 80),))
    check = intent(published=[dnat])
    assert check.unintended == [] and check.missing == []
    assert {"from": "10.200.0.0/26", "to": "shop/web", "ports": ["TCP/80"]} in check.allowed


def test_a_named_port_is_intended_only_on_its_own_protocol():
    """A NetworkPolicy port names a container port of that name *and protocol* (NAMED_PORT: "protocol ...
    the port must match"); web's `http` is TCP, so UDP/http opens nothing and nothing is owed, and
    TCP/http is TCP 80."""
    udp = intent([Flow("q", Endpoint(app="api", namespace="shop"), Endpoint(app="web", namespace="shop"),
                       (PortRange("UDP", name="http"),))])
    assert udp.missing == [] and udp.unintended == []
    assert not any((a["from"], a["to"]) == ("shop/api", "shop/web") for a in udp.allowed)
    tcp = intent([Flow("q", Endpoint(app="api", namespace="shop"), Endpoint(app="web", namespace="shop"),
                       (PortRange("TCP", name="http"),))])
    assert tcp.missing == [] and tcp.unintended == []
    assert {"from": "shop/api", "to": "shop/web", "ports": ["TCP/80"]} in tcp.allowed


# The path report: which frontend, protocol and hop each entry is walked through ---------------------
DEV_CHANGES = {
    # NGINX of the application routing add-on, internal by default: no public frontend for the Ingress
    # (https://learn.microsoft.com/azure/aks/app-routing-nginx-configuration), while frontend's own
    # LoadBalancer Service still answers the internet on TCP/80.
    "aks-networking:ingress": {"controller": "nginx"},
    # A public UDP Service: Azure's load balancer takes a rule per Service port and protocol
    # (https://learn.microsoft.com/azure/aks/load-balancer-standard), so DNS is served on UDP/53.
    "aks-networking:kubernetes.apps[4]": {"name": "dns", "namespace": "development", "image": "coredns/coredns:1.11.3",
                                          "labels": {"app": "dns"}, "serviceType": "LoadBalancer",
                                          "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]},
    "aks-networking:kubernetes.flows[4]": {"name": "internet-to-dns", "from": {"cidr": "0.0.0.0/0"},
                                           "to": {"app": "dns", "namespace": "development"}, "ports": ["UDP/53"]},
    # Every webapp pod to every webapp pod, on every port.
    "aks-networking:kubernetes.flows[5]": {"name": "webapp-mesh",
                                           "from": {"namespace": "development", "podLabels": {"app": "webapp"}},
                                           "to": {"namespace": "development", "podLabels": {"app": "webapp"}}},
}
CLUSTER = "aks-networking:cluster"


def _load(stack, changes):
    from aksnet.pipeline import load_stack
    from tests.stacks import load, variant
    from tests.test_paths import ADVISORY
    return load_stack(variant(load(stack), changes), stack, advisory=ADVISORY)


@pytest.fixture(scope="module")
def dev_changed():
    from aksnet.analysis.path_report import path_report
    from aksnet.analysis.paths import Tracer, network_of
    loaded = _load("dev", DEV_CHANGES)
    return Tracer(network_of(loaded.spec, loaded.plan)), path_report(loaded.spec, loaded.plan)


def _entries(report, flow):
    return [(e.source, e.destination, e.port, e.path) for e in report.paths if e.flow == flow]


def test_an_ingress_entry_is_judged_by_the_ingress_not_by_another_frontend(dev_changed):
    _, report = dev_changed
    ingress = {destination: path for _, destination, _, path in _entries(report, "ingress-webapp")}
    # Internal NGINX has no public frontend: the Ingress is not reachable from the internet ...
    assert ingress["development/frontend"].verdict == "denied"
    assert ingress["development/frontend"].decided_by.layer == "loadBalancer"
    # ... although the same app answers on the same port through its own LoadBalancer Service.
    [(_, _, _, service)] = _entries(report, "service-frontend")
    assert service.verdict == "allowed"
    assert service.hops[0].resource == "public load balancer (development/frontend)"


def test_a_public_udp_service_is_walked_on_udp(dev_changed):
    _, report = dev_changed
    [(_, _, port, path)] = _entries(report, "service-dns")
    assert port == "UDP/53" and path.verdict == "allowed", path.hops
    assert (path.hops[0].layer, path.hops[0].rule) == ("loadBalancer", "UDP/53")


def test_a_flow_among_pods_walks_each_pair_once_and_no_pod_to_itself(dev_changed):
    # A pod reaching itself is loopback, which no layer of the path model sees (NetworkPolicies cannot
    # block it: https://kubernetes.io/docs/concepts/services-networking/network-policies/#what-you-can-t-do-with-network-policies-at-least-not-yet).
    _, report = dev_changed
    pairs = sorted((source, destination) for source, destination, _, _ in _entries(report, "webapp-mesh"))
    assert pairs == [("development/backend", "development/frontend"), ("development/frontend", "development/backend")]


def test_the_command_line_s_fqdn_place_is_the_name_after_the_prefix(dev_changed):
    from aksnet.analysis.path_report import place_of
    tracer, _ = dev_changed
    place = place_of("fqdn:api.github.com", tracer)
    assert place.kind == "fqdn" and place.fqdn == "api.github.com" and place.label == "fqdn:api.github.com"
    assert place_of("fqdn:", tracer) == "fqdn: needs a name, such as fqdn:api.github.com"


def _api_server_entry(stack, changes, plan_of=None):
    from aksnet.analysis.path_report import path_report
    loaded = _load(stack, changes)
    plan = plan_of(loaded.plan) if plan_of else loaded.plan
    return next(p for p in path_report(loaded.spec, plan).paths if p.flow == "aks-api-server")


def test_the_nodes_meet_authorized_ranges_only_where_the_api_server_has_them():
    """A public API server limits callers to its authorized ranges only when the stack sets some
    (https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges); nodes behind a
    user-assigned NAT gateway leave from its public addresses, which the program authorizes
    ("API server cluster traffic is routed and processed through the clusters outbound type",
    https://learn.microsoft.com/azure/aks/nat-gateway)."""
    from tests.stacks import DELETE
    entry = _api_server_entry("dev", {f"{CLUSTER}.authorizedIpRanges": DELETE})
    assert entry.path.verdict == "allowed"
    assert all(h.resource != "API server public endpoint" for h in entry.path.hops), entry.path.hops
    entry = _api_server_entry("dev", {f"{CLUSTER}.outboundType": "userAssignedNATGateway"})
    assert entry.path.verdict == "allowed"
    assert entry.path.hops[-1].resource == "API server public endpoint"
    assert "NAT gateway's public addresses" in entry.path.hops[-1].rule


def test_nodes_the_firewall_stops_never_reach_the_public_api_server_s_ranges():
    """Without the AzureKubernetesService FQDN tag rule the firewall denies the nodes' HTTPS to the API
    server's name by default (https://learn.microsoft.com/azure/firewall/rule-processing); the walk
    ends at that denial, before any authorized-range check."""
    import dataclasses

    def without_fqdn_tag(plan):
        groups = tuple(dataclasses.replace(g, collections=tuple(
            {**c, "rules": [r for r in c["rules"] if r["name"] != "aks-fqdn-tag"]} for c in g.collections))
            for g in plan.firewall.groups)
        return dataclasses.replace(plan, firewall=dataclasses.replace(plan.firewall, groups=groups))

    public = {f"{CLUSTER}.private": False, f"{CLUSTER}.privateDnsZone": "system",
              f"{CLUSTER}.authorizedIpRanges": ["203.0.113.0/24"]}
    assert _api_server_entry("prod", public).path.verdict == "allowed"
    path = _api_server_entry("prod", public, without_fqdn_tag).path
    assert path.verdict == "denied" and path.decided_by.layer == "firewall"
    assert path.hops[-1] == path.decided_by, path.hops
