"""aksnet/rules/ingress.py at each boundary, both ways: what Application Gateway for Containers and
the pinned Gateway API controllers accept is accepted, what they refuse is refused with the key to change.
https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"""

from __future__ import annotations

import datetime

import pytest

from aksnet.config.problems import ConfigError
from aksnet.config.stack import load_spec
from aksnet.pipeline import load_stack
from aksnet.rules import ingress as rules
from aksnet.rules.registry import BY_ID
from tests.stacks import DELETE, example, load, validate_stack_config, variant

CLUSTER = "aks-networking:cluster"
SUBNETS = "aks-networking:network.spoke.subnets"


def agc(changes=None):
    return variant(example("agc"), changes or {})


def refused_at(config, stack="prod"):
    with pytest.raises(ConfigError) as caught:
        validate_stack_config(config, stack)
    return {p.path: p.message for p in caught.value.problems}


def test_the_agc_example_is_accepted_and_is_not_production_while_it_serves_plain_http():
    spec = validate_stack_config(agc(), "agc")
    assert not spec.environment.production and spec.ingress.controller == "agc"
    assert spec.cluster.network_plugin_mode == "overlay"


def test_agc_on_kubenet_is_refused_with_the_reason():
    dev = variant(load("dev"), {"aks-networking:ingress": {"controller": "agc"}, f"{SUBNETS}.agc": "192.168.3.0/24"})
    problems = refused_at(dev, "dev")
    assert "kubenet" in problems["aks-networking:ingress.controller"]


def test_agc_on_azure_cni_without_overlay_is_accepted():
    config = agc({f"{CLUSTER}.networkPluginMode": DELETE, f"{CLUSTER}.podCidr": DELETE,
                  f"{SUBNETS}.pods": "10.240.16.0/20"})
    assert validate_stack_config(config, "prod").ingress.controller == "agc"


@pytest.mark.parametrize("prefix,overlay,accepted", [
    ("10.240.4.0/24", True, True),    # exactly a /24 with Overlay
    ("10.240.4.0/23", True, False),   # larger is refused with Overlay
    ("10.240.4.0/25", True, False),
    ("10.240.4.0/23", False, True),   # flat CNI: 250 free addresses or more
    ("10.240.4.0/24", False, True),   # 251 usable
    ("10.240.4.0/25", False, False),  # 123 usable
])
def test_agc_subnet_size(prefix, overlay, accepted):
    changes = {f"{SUBNETS}.agc": prefix}
    if prefix.endswith("/23"):
        changes[f"{SUBNETS}.ilb"] = "10.240.8.0/28"
        changes[f"{SUBNETS}.endpoints"] = "10.240.9.0/28"
    if not overlay:
        changes |= {f"{CLUSTER}.networkPluginMode": DELETE, f"{CLUSTER}.podCidr": DELETE,
                    f"{SUBNETS}.pods": "10.240.16.0/20"}
    config = agc(changes)
    if accepted:
        validate_stack_config(config, "prod")
    else:
        assert "aks-networking:network.spoke.subnets.agc" in refused_at(config)


def test_agc_without_its_subnet_is_refused():
    assert "aks-networking:network.spoke.subnets.agc" in refused_at(agc({f"{SUBNETS}.agc": DELETE}))


def test_an_agc_subnet_without_agc_is_refused():
    config = variant(load("prod"), {f"{SUBNETS}.agc": "10.240.7.0/24"})
    assert "aks-networking:network.spoke.subnets.agc" in refused_at(config)


def test_agc_needs_workload_identity():
    problems = refused_at(agc({f"{CLUSTER}.workloadIdentity": False}))
    assert "workload identity" in problems["aks-networking:cluster.workloadIdentity"]


WAF_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/"
          "ApplicationGatewayWebApplicationFirewallPolicies/waf")


def test_agc_waf_is_refused_in_production_because_it_is_in_preview():
    problems = refused_at(agc({"aks-networking:ingress.agc": {"wafPolicyId": WAF_ID},
                               "aks-networking:environment.production": True}))
    assert "preview" in problems["aks-networking:ingress.agc.wafPolicyId"]


def test_agc_waf_is_an_advisory_finding_outside_production():
    config = agc({"aks-networking:ingress.agc": {"wafPolicyId": WAF_ID},
                  "aks-networking:environment.production": False})
    loaded = load_stack(config, "prod")
    assert any(f.policy == "agc-waf-generally-available" and f.level == "advisory" for f in loaded.checked.findings)


def test_agc_overlay_preview_is_advisory_in_production():
    rule = BY_ID["agc-overlay-preview"]
    assert rule.level(True) == "advisory" and rule.level(False) == "advisory"
    production = agc({"aks-networking:environment.production": True})
    assert list(rules.agc_overlay_preview(validate_stack_config(production, "prod")))


def test_envoy_gateway_end_of_life_refuses_production_only_after_the_day():
    spec = validate_stack_config(load("dev"), "dev")
    last = datetime.date(2027, 2, 14)  # v1.9's end of life: https://gateway.envoyproxy.io/news/releases/matrix/
    assert list(rules.gateway_controller_end_of_life(spec, last)) == []
    assert list(rules.gateway_controller_end_of_life(spec, last + datetime.timedelta(days=1)))
    assert list(rules.gateway_controller_support_ends(spec, last))
    assert BY_ID["gateway-controller-end-of-life"].level(True) == "mandatory"
    assert BY_ID["gateway-controller-end-of-life"].level(False) == "advisory"


@pytest.mark.parametrize("version,supported", [("1.32", False), ("1.33", True), ("1.36", True), ("1.37", False)])
def test_envoy_gateway_supports_the_minors_of_its_matrix(version, supported):
    import dataclasses
    spec = validate_stack_config(load("dev"), "dev")
    spec = dataclasses.replace(spec, cluster=dataclasses.replace(spec.cluster, kubernetes_version=version))
    assert (list(rules.gateway_controller_supports_kubernetes(spec)) == []) == supported


def test_tls_through_a_gateway_api_controller_is_refused_with_the_reason():
    problems = refused_at(variant(load("dev"), {"aks-networking:kubernetes.ingresses[0].tlsSecret": "webapp-tls"}),
                          "dev")
    assert "Kubernetes Secret for the Gateway's HTTPS listener" in \
        problems["aks-networking:kubernetes.ingresses[0].tlsSecret"]


def test_agc_without_a_network_plugin_is_refused_with_the_reason():
    """AGC supports Azure CNI and CNI Overlay only (AGC_NETWORKING); a cluster with no plugin of AKS's has
    neither."""
    config = agc({f"{CLUSTER}.networkPlugin": "none", f"{CLUSTER}.networkPluginMode": DELETE,
                  f"{CLUSTER}.podCidr": DELETE, f"{CLUSTER}.networkPolicy": "none",
                  f"{CLUSTER}.networkDataplane": DELETE})
    found = list(rules.agc_needs_azure_cni(load_spec(config, "prod")))
    assert [(p.path, p.message) for p in found] == [(
        "aks-networking:ingress.controller", "agc: Application Gateway for Containers needs Azure CNI or CNI "
        "Overlay, not a cluster without a network plugin")]


@pytest.mark.parametrize("version,refused", [("1.31", True), ("1.32", False), ("1.33", False)])
def test_alb_controller_needs_kubernetes_1_32_or_later(version, refused):
    """ALB Controller 1.12.1 needs Kubernetes 1.32 or later:
    https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes"""
    spec = load_spec(agc({f"{CLUSTER}.kubernetesVersion": version}), "prod")
    found = list(rules.gateway_controller_supports_kubernetes(spec))
    assert [p.path for p in found] == (["aks-networking:cluster.kubernetesVersion"] if refused else [])
    assert all(f"is {version}; ALB Controller" in p.message and "needs Kubernetes 1.32 or later" in p.message
               for p in found)
