"""Property tests: the class-based engine equals a naive pod-by-pod reading of the rules."""

from hypothesis import given, settings
from hypothesis import strategies as st

from aksnet.analysis.reachability import NOTHING, PortSet, Selector, cluster_from_objects, evaluate, resolve_ports
from tests.differential.generate import cluster


def naive(cluster_objects):
    """Allowed ports for every ordered pod pair, straight from the Kubernetes rules."""
    cluster_model, errors = cluster_from_objects(cluster_objects)
    assert errors == []
    namespaces = cluster_model.namespaces
    for pod in cluster_model.pods:
        namespaces.setdefault(pod.namespace, {"kubernetes.io/metadata.name": pod.namespace})

    def in_peer(peer, policy_namespace, pod):
        if peer.cidr is not None:
            return False  # generated pods have no address
        if peer.namespace_selector is None:
            if pod.namespace != policy_namespace:
                return False
        elif not peer.namespace_selector.matches(namespaces[pod.namespace]):
            return False
        return peer.pod_selector is None or peer.pod_selector.matches(pod.labels)

    def side(pod, other, direction, destination):
        selecting = [p for p in cluster_model.policies
                     if p.namespace == pod.namespace and p.selector.matches(pod.labels)
                     and getattr(p, direction) is not None]
        if not selecting:
            return PortSet.all()
        out = NOTHING
        for policy in selecting:
            for rule in getattr(policy, direction):
                if rule.peers is None or any(in_peer(peer, policy.namespace, other) for peer in rule.peers):
                    out = out.union(resolve_ports(rule.ports, destination.ports))
        return out

    table = {}
    for source in cluster_model.pods:
        for destination in cluster_model.pods:
            if source is destination:
                continue
            ports = side(source, destination, "egress", destination).intersect(
                side(destination, source, "ingress", destination))
            if ports:
                table[(source.id, destination.id)] = ports
    return table


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1000, max_value=10 ** 9))
def test_engine_equals_naive_evaluation(seed):
    objects = cluster(seed)
    cluster_model, _ = cluster_from_objects(objects)
    result = evaluate(cluster_model)
    engine = {(s, d): p for s, d, p in result.pairs() if not s[0].isdigit() and not d[0].isdigit()}
    assert engine == naive(objects)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1000, max_value=10 ** 9))
def test_removing_every_policy_allows_everything(seed):
    objects = [o for o in cluster(seed) if o["kind"] != "NetworkPolicy"]
    cluster_model, _ = cluster_from_objects(objects)
    result = evaluate(cluster_model)
    pods = [p.id for p in cluster_model.pods]
    for source in pods:
        for destination in pods:
            if source != destination:
                assert result.allowed_between(source, destination).is_all


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["app", "tier", "team"]), st.sampled_from(["a", "b", "web"]), max_size=3),
       st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]), st.sampled_from(["app", "tier"]),
       st.lists(st.sampled_from(["a", "b", "web"]), min_size=1, max_size=2))
def test_selector_operators_follow_their_definitions(labels, operator, key, values):
    raw = {"key": key, "operator": operator}
    if operator in ("In", "NotIn"):
        raw["values"] = values
    selector = Selector.parse({"matchExpressions": [raw]})
    expected = {"In": key in labels and labels[key] in values,
                "NotIn": key not in labels or labels[key] not in values,
                "Exists": key in labels, "DoesNotExist": key not in labels}[operator]
    assert selector.matches(labels) == expected
