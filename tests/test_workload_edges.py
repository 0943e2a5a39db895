"""The Kubernetes layer's stack keys at their edges: which apps an endpoint selects, and the one-line
refusals of `aksnet.config.workloads`, each with the source that makes it a mistake."""

import ipaddress
from dataclasses import replace

import pytest

from aksnet.config.problems import ConfigError
from aksnet.config.schema import Problems
from aksnet.config.workloads import App, ContainerPort, Endpoint, Flow, PortRange, Workloads, parse_port
from aksnet.pipeline import load_stack
from aksnet.plan.netpol import compile_policies
from tests.stacks import load, variant

K8S = "aks-networking:kubernetes"


def app(namespace, name, **labels):
    return App(name=name, namespace=namespace, image="nginx", labels=labels, ports=(ContainerPort("http", 80),),
               replicas=1, service_type="ClusterIP")


WORKLOADS = Workloads(
    namespaces={"shop": {"team": "sales"}, "ops": {"team": "platform"}},
    apps=(app("shop", "web", tier="web"), app("shop", "db", tier="db"), app("ops", "web", tier="web"),
          app("ops", "metrics", tier="tools")))


# A namespaceSelector matches namespace labels, with the name label Kubernetes sets on every namespace
# (https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name);
# an empty selector matches everything, and matchLabels needs every pair
# (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors).
@pytest.mark.parametrize("endpoint,selected", [
    (Endpoint(app="web", namespace="ops"), ["ops/web"]),
    (Endpoint(namespace="shop"), ["shop/web", "shop/db"]),
    (Endpoint(namespace_labels={"team": "platform"}), ["ops/web", "ops/metrics"]),
    (Endpoint(namespace_labels={"kubernetes.io/metadata.name": "shop"}), ["shop/web", "shop/db"]),
    (Endpoint(namespace_labels={"team": "platform", "kubernetes.io/metadata.name": "shop"}), []),
    (Endpoint(namespace_labels={}), ["shop/web", "shop/db", "ops/web", "ops/metrics"]),
    (Endpoint(pod_labels={"tier": "web"}), ["shop/web", "ops/web"]),
    (Endpoint(pod_labels={"tier": "web", "team": "sales"}), []),
    (Endpoint(namespace_labels={"team": "sales"}, pod_labels={"tier": "db"}), ["shop/db"]),
    (Endpoint(namespace="ops", pod_labels={"tier": "tools"}), ["ops/metrics"]),
])
def test_an_endpoint_selects_the_apps_its_selectors_would(endpoint, selected):
    assert [f"{a.namespace}/{a.name}" for a in WORKLOADS.apps_selected_by(endpoint)] == selected


# Ports: Kubernetes' protocols are TCP, UDP and SCTP
# (https://kubernetes.io/docs/reference/networking/service-protocols/), port numbers 1-65535
# (ValidateNetworkPolicyPort, https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/networking/validation/validation.go).
@pytest.mark.parametrize("value,parsed", [
    ("TCP/1", PortRange("TCP", 1)), ("UDP/65535", PortRange("UDP", 65535)), (53, PortRange("TCP", 53)),
    ("TCP/8000-8001", PortRange("TCP", 8000, 8001)), ("SCTP/1-65535", PortRange("SCTP", 1, 65535)),
    ("TCP/http", PortRange("TCP", name="http")),
])
def test_ports_in_the_grammar_are_read(value, parsed):
    problems = Problems()
    assert parse_port(problems, "p", value) == parsed and not problems.items


@pytest.mark.parametrize("value,message", [
    ("TCP/0", "'TCP/0' is not a port range within 1-65535 with start below end"),
    ("TCP/65536", "'TCP/65536' is not a port range within 1-65535 with start below end"),
    ("TCP/8001-8000", "'TCP/8001-8000' is not a port range within 1-65535 with start below end"),
    ("TCP/1-65536", "'TCP/1-65536' is not a port range within 1-65535 with start below end"),
    ("ICMP/8", "'ICMP/8' is not a port; expected TCP/80, UDP/53, TCP/8000-8080 or a named port TCP/http"),
    ("tcp/80", "'tcp/80' is not a port; expected TCP/80, UDP/53, TCP/8000-8080 or a named port TCP/http"),
    (True, "True is not a port; expected TCP/80, UDP/53, TCP/8000-8080 or a named port TCP/http"),
])
def test_ports_outside_it_are_one_line_at_their_key(value, message):
    problems = Problems()
    assert parse_port(problems, "flows[0].ports[0]", value) is None
    assert [(p.path, p.message) for p in problems.items] == [("flows[0].ports[0]", message)]


def refusals(changes):
    with pytest.raises(ConfigError) as refused:
        load_stack(variant(load("dev"), changes), "dev")
    return [f"{p.path}: {p.message}" for p in refused.value.problems]


REDIS = {"name": "store", "namespace": "development", "image": "redis:7.4-alpine", "labels": {"app": "cache"},
         "ports": [{"name": "redis", "port": 6379}]}


@pytest.mark.parametrize("changes,refusal", [
    # The address annotation is read on a Service of type LoadBalancer only
    # (https://learn.microsoft.com/azure/aks/internal-lb#specify-an-ip-address): on a ClusterIP it does nothing.
    ({f"{K8S}.apps[2].staticIp": "192.168.2.11"},
     f"{K8S}.apps[2].staticIp: is only for serviceType InternalLoadBalancer"),
    # A public LoadBalancer Service's frontend is a public address; an address of the ilb subnet is a private
    # frontend, which only the internal annotation gives (https://learn.microsoft.com/azure/aks/internal-lb).
    ({f"{K8S}.apps[1].staticIp": "192.168.2.11"},
     f"{K8S}.apps[1].staticIp: is only for serviceType InternalLoadBalancer"),
    ({f"{K8S}.flows[0].ports": ["HTTP/80"]},
     f"{K8S}.flows[0].ports[0]: 'HTTP/80' is not a port; expected TCP/80, UDP/53, TCP/8000-8080 or a named port "
     "TCP/http"),
    # An app's Service and policies select its pods by its labels: more labels would select other pods or none.
    ({f"{K8S}.flows[0].from.podLabels": {"role": "frontend"}},
     f"{K8S}.flows[0].from.podLabels: is set together with app; an app already selects its pods"),
    ({f"{K8S}.flows[0].from": {"namespace": "development", "namespaceLabels": {"purpose": "development"}}},
     f"{K8S}.flows[0].from.namespaceLabels: is set together with namespace; choose one"),
    # Traffic from the internet comes in through DNAT, an Ingress or a public Service; an FQDN names a
    # destination of application rules (https://learn.microsoft.com/azure/firewall/rule-processing).
    ({f"{K8S}.flows[0].from": {"fqdn": "api.example.com"}},
     f"{K8S}.flows[0].from.fqdn: is a destination only: traffic from the internet arrives through an Ingress, a "
     "public Service or a firewall DNAT rule"),
    # Names are unique per kind in a namespace
    # (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names).
    ({f"{K8S}.apps[4]": REDIS}, f"{K8S}.apps[4].name: 'store' is declared twice in namespace development"),
    # The NamespaceLifecycle admission controller rejects objects in a namespace that does not exist
    # (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#namespacelifecycle).
    ({f"{K8S}.policies": [{"name": "extra", "namespace": "ghost", "spec": {"podSelector": {}}}]},
     f"{K8S}.policies[0].namespace: 'ghost' is not a declared namespace"),
])
def test_workload_mistakes_are_one_line_at_their_key(changes, refusal):
    assert refusals(changes) == [refusal]


def test_the_same_name_in_another_namespace_and_a_policy_in_a_declared_one_are_accepted():
    load_stack(variant(load("dev"), {
        f"{K8S}.namespaces[1]": {"name": "cache"}, f"{K8S}.apps[4]": {**REDIS, "namespace": "cache"},
        f"{K8S}.policies": [{"name": "extra", "namespace": "cache", "spec": {"podSelector": {}}}]}), "dev")


# A NetworkPolicy selects pods of its own namespace only
# (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource): a flow's
# egress allowance sits in each namespace its source's pods live in, and in no other.
@pytest.mark.parametrize("source,placed", [
    (Endpoint(namespace="shop"), [("shop", {})]),
    (Endpoint(namespace_labels={"team": "platform"}), [("ops", {})]),
    (Endpoint(namespace_labels={"kubernetes.io/metadata.name": "shop"}, pod_labels={"tier": "web"}),
     [("shop", {"matchLabels": {"tier": "web"}})]),
    (Endpoint(namespace_labels={}), [("ops", {}), ("shop", {})]),
    (Endpoint(namespace="elsewhere"), []),
])
def test_a_flow_s_egress_policy_goes_to_the_namespaces_of_its_source(source, placed):
    flow = Flow("out", source, Endpoint(cidr=ipaddress.IPv4Network("10.50.0.0/16")), (PortRange("TCP", 443),))
    policies = compile_policies(replace(WORKLOADS, flows=(flow,), default_deny=False), None)
    assert [(p["metadata"]["namespace"], p["spec"]["podSelector"]) for _, p in policies] == placed
    # Without the namespaces' default deny, the flow's policy alone isolates its source, so it lets DNS to
    # kube-system's DNS pods out as well (the source must still resolve names).
    dns = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                   "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
           "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
    assert all(p["spec"]["egress"] == [{"to": [{"ipBlock": {"cidr": "10.50.0.0/16"}}],
                                        "ports": [{"protocol": "TCP", "port": 443}]}, dns] for _, p in policies)
