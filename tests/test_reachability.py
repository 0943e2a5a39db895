"""The reachability engine against Kubernetes semantics, and the workshop's three policies."""



from aksnet.analysis.reachability import PortSet, cluster_from_objects, evaluate


def ns(name, **labels):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def deploy(namespace, name, labels, ports=()):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace},
            "spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [
                {"name": "c", "image": "nginx", "ports": [{"name": n, "containerPort": p, "protocol": pr}
                                                          for n, p, pr in ports]}]}}}}


def policy(namespace, name, spec):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def reach(*objects):
    cluster, errors = cluster_from_objects(objects)
    assert errors == []
    return evaluate(cluster)


def allowed(result, source, destination):
    return result.allowed_between(source, destination)


WORKSHOP = [
    ns("development", purpose="development"), ns("production", purpose="production"),
    deploy("development", "backend", {"app": "webapp", "role": "backend"}, [("http", 80, "TCP")]),
    deploy("development", "frontend", {"app": "webapp", "role": "frontend"}),
    deploy("production", "frontend", {"app": "webapp", "role": "frontend"}),
    deploy("production", "other", {"app": "other"}),
]


def test_no_policy_allows_everything():
    result = reach(*WORKSHOP)
    assert allowed(result, "production/other", "development/backend").is_all


def test_workshop_policy_1_deny_all_inbound_to_the_backend():
    result = reach(*WORKSHOP, policy("development", "backend-policy", {
        "podSelector": {"matchLabels": {"app": "webapp", "role": "backend"}}, "ingress": []}))
    for source in ("development/frontend", "production/frontend", "production/other"):
        assert not allowed(result, source, "development/backend")
    assert allowed(result, "development/backend", "development/frontend").is_all  # egress untouched


def test_workshop_policy_2_allow_frontends_from_any_namespace():
    result = reach(*WORKSHOP, policy("development", "backend-policy", {
        "podSelector": {"matchLabels": {"app": "webapp", "role": "backend"}},
        "ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "webapp", "role": "frontend"}}}]}]}))
    assert allowed(result, "development/frontend", "development/backend").is_all
    assert allowed(result, "production/frontend", "development/backend").is_all
    assert not allowed(result, "production/other", "development/backend")


def test_workshop_policy_3_frontends_only_from_development_namespaces():
    result = reach(*WORKSHOP, policy("development", "backend-policy", {
        "podSelector": {"matchLabels": {"app": "webapp", "role": "backend"}},
        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"purpose": "development"}},
                               "podSelector": {"matchLabels": {"app": "webapp", "role": "frontend"}}}]}]}))
    assert allowed(result, "development/frontend", "development/backend").is_all
    assert not allowed(result, "production/frontend", "development/backend")
    assert not allowed(result, "production/other", "development/backend")


def test_two_peers_in_two_elements_mean_either():
    result = reach(*WORKSHOP, policy("development", "p", {
        "podSelector": {"matchLabels": {"role": "backend"}},
        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"purpose": "development"}}},
                              {"podSelector": {"matchLabels": {"role": "frontend"}}}]}]}))
    assert allowed(result, "development/frontend", "development/backend")
    assert not allowed(result, "production/frontend", "development/backend")  # podSelector alone: own namespace
    assert not allowed(result, "production/other", "development/backend")


def test_egress_and_ingress_must_both_allow():
    result = reach(*WORKSHOP,
                   policy("development", "egress", {"podSelector": {"matchLabels": {"role": "frontend"}},
                                                     "policyTypes": ["Egress"], "egress": []}),
                   policy("development", "ingress", {"podSelector": {"matchLabels": {"role": "backend"}},
                                                      "ingress": [{}]}))
    assert not allowed(result, "development/frontend", "development/backend")
    assert allowed(result, "production/frontend", "development/backend").is_all


def test_policy_types_default_adds_egress_only_when_an_egress_section_exists():
    result = reach(*WORKSHOP, policy("development", "p", {"podSelector": {}, "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}))
    ports = allowed(result, "development/frontend", "production/other")
    assert ports.describe() == ["UDP/53"]
    assert not allowed(result, "production/other", "development/frontend")  # Ingress is always in the default


def test_ports_named_and_ranges():
    result = reach(*WORKSHOP, policy("development", "p", {
        "podSelector": {"matchLabels": {"role": "backend"}},
        "ingress": [{"ports": [{"port": "http"}, {"port": 8000, "endPort": 8080}, {"protocol": "UDP", "port": "http"}]}]}))
    assert allowed(result, "production/other", "development/backend").describe() == ["TCP/80", "TCP/8000-8080"]



def test_a_named_container_port_without_a_protocol_is_tcp():
    """ContainerPort.protocol "Must be UDP, TCP, or SCTP. Defaults to "TCP""
    (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports), so a rule naming
    the port opens it on TCP and not on UDP."""
    backend = deploy("development", "backend", {"role": "backend"})
    backend["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"name": "metrics", "containerPort": 9090}]
    result = reach(ns("development"), deploy("development", "client", {"role": "client"}), backend,
                   policy("development", "p", {"podSelector": {"matchLabels": {"role": "backend"}},
                                               "ingress": [{"ports": [{"port": "metrics"}]}]}))
    assert allowed(result, "development/client", "development/backend").describe() == ["TCP/9090"]

def test_match_expressions():
    result = reach(*WORKSHOP, policy("development", "p", {
        "podSelector": {"matchExpressions": [{"key": "role", "operator": "In", "values": ["backend"]}]},
        "ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {"matchExpressions": [
            {"key": "role", "operator": "Exists"}, {"key": "app", "operator": "NotIn", "values": ["other"]}]}}]}]}))
    assert allowed(result, "production/frontend", "development/backend")
    assert not allowed(result, "production/other", "development/backend")


def test_ip_block_with_except_to_outside_regions():
    result = reach(*WORKSHOP, policy("development", "p", {
        "podSelector": {"matchLabels": {"role": "frontend"}}, "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}]}))
    outside = {g.members[0]: i for i, g in enumerate(result.groups) if g.external}
    source = next(i for i, g in enumerate(result.groups) if "development/frontend" in g.members)
    reached = {m for m, i in outside.items() if (source, i) in result.allowed}
    assert reached == {"10.0.0.0/16", "10.2.0.0/15,10.4.0.0/14,10.8.0.0/13,10.16.0.0/12,10.32.0.0/11,10.64.0.0/10,10.128.0.0/9"}


def test_pods_no_policy_can_tell_apart_share_a_group():
    objects = [ns("a")] + [deploy("a", f"web-{i}", {"app": "web"}) for i in range(50)]
    result = reach(*objects, policy("a", "p", {"podSelector": {}, "ingress": []}))
    pod_groups = [g for g in result.groups if not g.external]
    assert len(pod_groups) == 1 and len(pod_groups[0].members) == 50


def test_invalid_objects_are_reported_one_line_each():
    _, errors = cluster_from_objects([policy("a", "bad", {"podSelector": {"matchExpressions": [{"key": "x", "operator": "Maybe"}]}}),
                                      policy("a", "bad2", {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/8"]}}]}]})])
    assert len(errors) == 2 and "Maybe" in errors[0] and "strictly inside" in errors[1]


def test_port_set_algebra():
    a = PortSet.of([("TCP", 80, 90), ("UDP", 53, 53)])
    b = PortSet.of([("TCP", 85, 100)])
    assert a.intersect(b).describe() == ["TCP/85-90"]
    assert a.union(b).describe() == ["TCP/80-100", "UDP/53"]
    assert PortSet.all().describe() == "all"


def test_objects_the_api_would_not_hold_are_reported_one_line_each_and_the_rest_still_read():
    """Every object has a name (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/) and
    its labels are a map of strings (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/).
    An IPv6 ipBlock is valid Kubernetes, but the engine evaluates IPv4 only: it says so rather than guess."""
    cluster, errors = cluster_from_objects([
        ["a", "list"],
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "a"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b", "labels": ["team", "x"]}},
        policy("a", "v6", {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "fd00::/64"}}]}]}),
        ns("a"), deploy("a", "web", {"app": "web"})])
    assert errors == ["object 0: is not a mapping", "Pod a/None: metadata.name is missing",
                      "Namespace b: labels must be a mapping", "NetworkPolicy a/v6: only IPv4 ipBlocks are evaluated"]
    assert [p.name for p in cluster.pods] == ["web"] and cluster.policies == []



def test_exists_matches_a_label_whose_value_is_empty():
    """`Exists` asks for the key alone, whatever its value, the empty one included
    (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/)."""
    result = reach(ns("development"), deploy("development", "canary", {"canary": ""}),
                   deploy("development", "plain", {"app": "plain"}), deploy("development", "client", {"app": "client"}),
                   policy("development", "p", {"podSelector": {"matchExpressions": [
                       {"key": "canary", "operator": "Exists"}]}, "ingress": []}))
    assert not allowed(result, "development/client", "development/canary")   # selected: isolated
    assert allowed(result, "development/client", "development/plain").is_all


def test_an_except_equal_to_its_cidr_is_refused_as_the_api_server_refuses_it():
    """An ipBlock's except must be a strict subset of its cidr (ValidateIPBlock in the API server's
    pkg/apis/networking/validation; https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
    "Except values will be rejected if they are outside the cidr range")."""
    bad = policy("development", "p", {"podSelector": {}, "egress": [
        {"to": [{"ipBlock": {"cidr": "10.0.0.0/24", "except": ["10.0.0.0/24"]}}]}]})
    _, errors = cluster_from_objects([ns("development"), bad])
    assert errors and "must lie strictly inside" in errors[0], errors
    inside = policy("development", "p", {"podSelector": {}, "egress": [
        {"to": [{"ipBlock": {"cidr": "10.0.0.0/24", "except": ["10.0.0.0/25"]}}]}]})
    assert cluster_from_objects([ns("development"), inside])[1] == []
