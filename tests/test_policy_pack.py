"""The CrossGuard pack, run by the policy SDK's own analyzer as `pulumi preview --policy-pack` runs it.

The engine starts the pack with the stack's configuration in `PULUMI_CONFIG` (values as strings)
and the stack's name in `PULUMI_STACK`; the SDK copies them into the Pulumi runtime before each
analysis. These tests hand the analyzer the same, so the pack reads the stack as it will for real.
"""

import contextvars
import json

import pytest
from pulumi.runtime import proto
from pulumi.runtime.config import set_all_config
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from aksnet.config.stack import decode_value
from aksnet.rules.registry import BY_ID, RULES, pack_levels
from policies.pack import policies
from tests.stacks import load, variant
from tools.mock_engine import flatten_config
from tools.pack_client import PROTO_LEVELS
from tools.policy_check import enforcement


@pytest.fixture
def analyze(monkeypatch):
    """`analyze(config, stack)`: the pack's stack analysis of a stack with that config, at the levels of
    the stack's pack config file: ({policy: [messages]}, {policy: why it did not run})."""
    def run(config, stack):
        monkeypatch.setenv("PULUMI_CONFIG", json.dumps(flatten_config(config)))
        monkeypatch.setenv("PULUMI_PROJECT", "aks-networking")
        monkeypatch.setenv("PULUMI_STACK", stack)
        monkeypatch.setenv("PULUMI_DRY_RUN", "true")
        production = bool((decode_value(config.get("aks-networking:environment")) or {}).get("production"))
        servicer = _PolicyAnalyzerServicer("aks-networking", "1.0.0", policies(), EnforcementLevel.ADVISORY)
        servicer.Configure(proto.ConfigureAnalyzerRequest(policyConfig={
            name: proto.PolicyConfig(enforcementLevel=PROTO_LEVELS[level])
            for name, level in enforcement(stack, production).items()}), None)

        def analysis():  # in a context of its own: the SDK sets the runtime's stack and config
            set_all_config({})
            return servicer.AnalyzeStack(proto.AnalyzeStackRequest(), None)
        response = contextvars.copy_context().run(analysis)
        found: dict[str, list[str]] = {}
        for diagnostic in response.diagnostics:  # the SDK writes the policy's description first
            description, _, message = diagnostic.message.partition("\n")
            assert description == BY_ID[diagnostic.policyName].description
            found.setdefault(diagnostic.policyName, []).append(message)
        return found, {n.policy_name: n.reason for n in response.not_applicable}
    return run


def test_every_rule_is_a_policy_of_its_id_and_level():
    made = {policy.name: policy for policy in policies()}
    assert set(made) == set(pack_levels(True)) == {rule.id for rule in RULES}
    assert all(made[name].enforcement_level == EnforcementLevel(BY_ID[name].production) for name in made)


def test_the_committed_stacks_pass_every_spec_policy(analyze):
    for stack in ("dev", "prod"):
        found, not_applicable = analyze(load(stack), stack)
        mandatory = {name for name in found if pack_levels(stack == "prod").get(name) == "mandatory"}
        assert mandatory == set() and not_applicable == {}, stack


def test_a_stack_refused_before_its_plan_leaves_the_plan_policies_unrun(analyze):
    config = variant(load("prod"), {"aks-networking:cluster.networkPluginMode": "overlay",
                                    "aks-networking:cluster.networkPlugin": "kubenet"})
    found, not_applicable = analyze(config, "prod")
    assert found["overlay-needs-azure-cni"] == [
        "aks-networking:cluster.networkPluginMode: overlay needs networkPlugin azure, not kubenet"]
    assert set(not_applicable) == {r.id for r in RULES if r.after_plan} >= {
        "declared-paths-arrive", "no-undeclared-exposure", "reachability-matches-intent"}


def test_a_stack_of_another_project_or_one_that_does_not_parse_is_not_checked(analyze):
    def spec_rules(production):
        return {r.id for r in RULES if r.checks_spec and r.level(production) != "disabled"}
    found, not_applicable = analyze({"other:setting": "x"}, "other")
    assert found == {} and set(not_applicable) == spec_rules(False)
    assert set(not_applicable.values()) == {"stack other has no aks-networking configuration"}
    found, not_applicable = analyze(variant(load("prod"), {"aks-networking:cluster.networkPlugin": "flannel"}), "prod")
    assert found == {} and set(not_applicable) == spec_rules(True)
    assert all(why.startswith("the stack file does not parse") for why in not_applicable.values())


def test_objects_pulumi_does_not_register_meet_each_resource_rule_once_at_their_cluster():
    """No stack file can write the deprecated class annotation or a secret into an object (the plan
    writes neither), so these two Kubernetes-layer rules are proven here with objects made by hand;
    tests/test_policy_pack_grpc.py proves the others over gRPC from stacks that break them."""
    from aksnet.rules.registry import RecordedResource
    from aksnet.vocabulary import CLUSTER, INGRESS, SUBNET
    annotated = RecordedResource(INGRESS, "ingress-shop-web", "gitops:ingress-shop-web", {
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"kubernetes.io/ingress.class": "nginx"}},
        "spec": {"rules": [{"host": "shop.example.com"}], "tls": [{"hosts": ["shop.example.com"], "secretName": "t"}]}})
    settings = RecordedResource("kubernetes:core/v1:ConfigMap", "configmap-shop-settings", "gitops:configmap-shop-settings",
                                {"metadata": {"name": "settings", "namespace": "shop"}, "data": {"password": "hunter2"}})
    made = {policy.name: policy for policy in policies(unregistered=lambda: [annotated, settings])}

    def seen_at(resource_type, rule_id):
        found: list[str] = []
        made[rule_id].validate(RecordedResource(resource_type, "x", "urn:x", {}), lambda message, urn: found.append(message))
        return found
    # https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation
    assert seen_at(CLUSTER, "no-ingress-class-annotation") == [
        "kubernetes:networking.k8s.io/v1:Ingress ingress-shop-web: The kubernetes.io/ingress.class annotation is "
        "deprecated; use spec.ingressClassName."]
    assert [m.split(" holds ")[0] for m in seen_at(CLUSTER, "no-plain-secrets")] == [
        "kubernetes:core/v1:ConfigMap configmap-shop-settings: data.password"]
    assert seen_at(SUBNET, "no-ingress-class-annotation") == seen_at(SUBNET, "no-plain-secrets") == []


def _stack_file(path):
    from tools.stackfile import read_stack_file
    return read_stack_file(path).config


def test_the_landing_zones_hub_answers_its_spec_policies_not_applicable_and_its_spokes_pass(analyze):
    """`cd hub && pulumi preview -s hub --policy-pack ../policies`: the hub holds no cluster (docs/landing-zone.md),
    so every spec policy says why it did not run instead of calling the hub's file unparsable; a spoke is a
    stack file like any other and meets every policy at its levels (policies/config/<stack>.json)."""
    hub = _stack_file("hub/Pulumi.hub.yaml")
    found, not_applicable = analyze(hub, "hub")
    assert found == {}
    assert set(not_applicable) == {r.id for r in RULES if r.checks_spec and r.level(True) != "disabled"}
    assert set(not_applicable.values()) == {"stack hub is a landing zone's hub: it holds no cluster, and this rule "
                                            "reads a cluster's stack file (hub/__main__.py checks the hub's own)"}
    # A hub's file with a cluster in it is refused by the hub's program; the pack leaves its spec rules unrun.
    found, not_applicable = analyze(variant(hub, {"aks-networking:cluster": {"kubernetesVersion": "1.33"}}), "hub")
    assert found == {} and all(why.startswith("the hub's stack file does not parse (1 problem")
                               for why in not_applicable.values())
    for spoke in ("spoke-a", "spoke-b"):
        config = _stack_file(f"Pulumi.{spoke}.yaml")
        found, not_applicable = analyze(config, spoke)
        assert not_applicable == {}, spoke
        assert not [name for name in found if pack_levels(False).get(name) == "mandatory"], spoke
        # Each spoke's Kubernetes version is within support but announced to end (an advisory of its spec rules).
        assert "lifecycle-announced-end" in found, spoke


@pytest.mark.golden
def test_each_stack_of_the_landing_zone_has_its_pack_config_at_its_levels():
    from tools.policy_check import CONFIG_DIR
    for stack, production in (("hub", True), ("spoke-a", False), ("spoke-b", False)):
        with open(f"{CONFIG_DIR}/{stack}.json", encoding="utf-8") as handle:
            assert json.load(handle) == pack_levels(production), stack
