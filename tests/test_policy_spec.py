"""Literal NetworkPolicy specs: our strict reader against Kubernetes' own schema, and one line per mistake."""

import kubernetes_validate
import pytest
import yaml

from aksnet.config.policy_spec import check_policy_spec
from aksnet.config.schema import Problems
from tests.stacks import load, variant
from tools import preview

GOOD = [
    {"podSelector": {}},
    {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
     "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "x"}},
                            "podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}}],
                  "ports": [{"protocol": "TCP", "port": 80}, {"port": "http"}, {"port": 8000, "endPort": 8080}]}]},
    {"podSelector": {}, "policyTypes": ["Egress"],
     "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}], "ports": [{"port": 53,
                                                                                                    "protocol": "UDP"}]}]},
    {"podSelector": {"matchExpressions": [{"key": "x", "operator": "Exists"}]}, "ingress": [{}]},
    {"podSelector": {}, "ingress": [{"ports": [{"port": 1, "endPort": 65535}, {"port": 65535, "endPort": 65535}]}]},
    {"podSelector": {"matchLabels": {"example.com/tier": "web"}},
     "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/9"]}}]}]},
]
BAD = {
    "podSelector a number": ({"podSelector": 5}, "spec.podSelector"),
    "ingress a string": ({"podSelector": {}, "ingress": "allow all"}, "spec.ingress"),
    "misspelled podSelector": ({"podSelektor": {}}, "spec.podSelektor"),
    "a nested list as a peer": ({"podSelector": {}, "ingress": [{"from": [[{"podSelector": {}}]]}]},
                                "spec.ingress[0].from[0]"),
    "unknown rule field": ({"podSelector": {}, "ingress": [{"form": []}]}, "spec.ingress[0].form"),
    "label value a number": ({"podSelector": {"matchLabels": {"app": 3}}}, "spec.podSelector.matchLabels.app"),
    "matchLabels a list": ({"podSelector": {"matchLabels": ["app", "web"]}}, "spec.podSelector.matchLabels"),
    "cidr a number": ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": 10}}]}]},
                      "spec.egress[0].to[0].ipBlock.cidr"),
    "endPort a string": ({"podSelector": {}, "ingress": [{"ports": [{"port": 80, "endPort": "81"}]}]},
                         "spec.ingress[0].ports[0].endPort"),
}
# What the Kubernetes API server refuses beyond its OpenAPI schema, which the schema lets through.
SEMANTIC = {
    "policy type Sideways": ({"podSelector": {}, "policyTypes": ["Sideways"]}, "spec.policyTypes[0]"),
    "port 70000": ({"podSelector": {}, "ingress": [{"ports": [{"port": 70000}]}]}, "spec.ingress[0].ports[0].port"),
    "protocol ICMP": ({"podSelector": {}, "egress": [{"ports": [{"protocol": "ICMP"}]}]},
                      "spec.egress[0].ports[0].protocol"),
    "operator Maybe": ({"podSelector": {"matchExpressions": [{"key": "x", "operator": "Maybe"}]}},
                       "spec.podSelector.matchExpressions[0].operator"),
    "cidr not a CIDR": ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "300.0.0.0/8"}}]}]},
                        "spec.egress[0].to[0].ipBlock.cidr"),
    "except outside cidr": ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/16",
                                                                                "except": ["11.0.0.0/24"]}}]}]},
                            "spec.egress[0].to[0].ipBlock.except[0]"),
    # ValidateIPBlock: an except entry "must be a strict subset of `cidr`"
    # (https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/networking/validation/validation.go):
    "except equal to cidr": ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/16",
                                                                                 "except": ["10.0.0.0/16"]}}]}]},
                             "spec.egress[0].to[0].ipBlock.except[0]"),
    "endPort below port": ({"podSelector": {}, "ingress": [{"ports": [{"port": 90, "endPort": 80}]}]},
                           "spec.ingress[0].ports[0].endPort"),
    "In without values": ({"podSelector": {"matchExpressions": [{"key": "x", "operator": "In"}]}},
                          "spec.podSelector.matchExpressions[0].values"),
    # apimachinery's ValidateLabelSelectorRequirement and ValidateLabels
    # (https://github.com/kubernetes/apimachinery/blob/master/pkg/apis/meta/v1/validation/validation.go):
    "Exists with values": ({"podSelector": {"matchExpressions": [{"key": "x", "operator": "Exists", "values": ["a"]}]}},
                           "spec.podSelector.matchExpressions[0].values"),
    "label key with a space": ({"podSelector": {"matchLabels": {"app name": "web"}}},
                               "spec.podSelector.matchLabels.app name"),
    "expression key ending in a dash": ({"podSelector": {"matchExpressions": [{"key": "tier-", "operator": "Exists"}]}},
                                        "spec.podSelector.matchExpressions[0].key"),
    # ValidateNetworkPolicyPort (https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/networking/validation/validation.go):
    "endPort 65536": ({"podSelector": {}, "ingress": [{"ports": [{"port": 80, "endPort": 65536}]}]},
                      "spec.ingress[0].ports[0].endPort"),
    "endPort 0": ({"podSelector": {}, "ingress": [{"ports": [{"port": 1, "endPort": 0}]}]},
                  "spec.ingress[0].ports[0].endPort"),
    "endPort beside a named port": ({"podSelector": {}, "ingress": [{"ports": [{"port": "http", "endPort": 81}]}]},
                                    "spec.ingress[0].ports[0].endPort"),
    "endPort without a port": ({"podSelector": {}, "egress": [{"ports": [{"protocol": "UDP", "endPort": 81}]}]},
                               "spec.egress[0].ports[0].endPort"),
    "port 0": ({"podSelector": {}, "ingress": [{"ports": [{"port": 0}]}]}, "spec.ingress[0].ports[0].port"),
}


def problems_of(spec):
    problems = Problems()
    check_policy_spec(problems, "spec", spec)
    return [p.path for p in problems.items]


def schema_accepts(spec):
    policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
              "metadata": {"name": "p", "namespace": "n"}, "spec": spec}
    try:
        kubernetes_validate.validate(policy, "1.33.0", strict=True)
    except kubernetes_validate.ValidationError:
        return False
    return True


@pytest.mark.parametrize("spec", GOOD)
def test_good_specs_pass_here_and_in_the_kubernetes_schema(spec):
    assert problems_of(spec) == [] and schema_accepts(spec)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_specs_fail_here_at_their_key_and_in_the_kubernetes_schema(case):
    spec, key = BAD[case]
    assert key in problems_of(spec)
    assert not schema_accepts(spec)


@pytest.mark.parametrize("case", sorted(SEMANTIC))
def test_semantic_mistakes_the_schema_cannot_see_are_refused(case):
    spec, key = SEMANTIC[case]
    assert key in problems_of(spec)


@pytest.mark.parametrize("case", ["podSelector a number", "a nested list as a peer", "misspelled podSelector"])
def test_a_bad_literal_policy_is_one_line_per_mistake_never_a_traceback(case, tmp_path, capsys):
    spec, key = BAD[case]
    config = variant(load("dev"), {"aks-networking:kubernetes.policies": [
        {"name": "custom", "namespace": "development", "spec": spec}]})
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    assert preview.main(["dev", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"aks-networking:kubernetes.policies[0].{key}: " in err and "Traceback" not in err
