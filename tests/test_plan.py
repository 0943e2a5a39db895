"""The plan: every topology decision of a checked stack, frozen and JSON-serialisable."""

import dataclasses
import ipaddress
import json

import pytest

from aksnet.pipeline import load_stack
from tests.stacks import DELETE, load, variant


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_plan_is_frozen_and_serialises_to_json(stack):
    loaded = load_stack(load(stack), stack)
    document = json.loads(json.dumps(loaded.plan.as_json()))
    assert document["address_plan"] and document["manifests"] and document["network_profile"]
    for frozen in (loaded.plan, loaded.spec, loaded.spec.cluster, loaded.checked, loaded.plan.address_plan[0]):
        with pytest.raises(dataclasses.FrozenInstanceError):
            frozen.__setattr__(dataclasses.fields(frozen)[0].name, None)


def test_prod_plan_decisions():
    plan = load_stack(load("prod"), "prod").plan
    assert plan.resource_groups == ("hub", "spoke") and plan.edge == "hub"
    assert plan.route_table and plan.route_table_subnets == ("nodes",) and plan.default_route_next_hop == "firewall"
    assert plan.api_server_zone == "privatelink.westeurope.azmk8s.io"
    assert plan.firewall_sources == ("10.240.0.0/22",)
    assert plan.subnet_names["nodes"] == "snet-nodes" and plan.subnet_names["AzureFirewallSubnet"] == "AzureFirewallSubnet"
    assert plan.ingress_controller is not None and str(plan.ingress_controller.cidr) == "10.240.4.0/24"



def test_with_a_pod_subnet_the_pods_egress_through_the_firewall_too():
    """With Azure CNI and a pod subnet, pods send from their own subnet's addresses, so with outbound type
    userDefinedRouting that subnet needs the default route to the firewall as well as the nodes'
    (https://learn.microsoft.com/azure/aks/egress-outboundtype#outbound-type-of-userdefinedrouting: the
    cluster's subnets route 0.0.0.0/0 to the appliance); else a pod's packets take the system route to the
    internet around the firewall."""
    from tests.test_paths import tracer_of
    config = variant(load("prod"), {
        "aks-networking:cluster.networkPluginMode": None, "aks-networking:cluster.networkDataplane": "azure",
        "aks-networking:cluster.networkPolicy": "calico", "aks-networking:cluster.podCidr": None,
        "aks-networking:network.spoke.subnets.pods": "10.240.8.0/22"})
    t, loaded = tracer_of(config)
    assert loaded.plan.route_table_subnets == ("nodes", "pods")
    assert loaded.plan.firewall_sources == ("10.240.0.0/22", "10.240.8.0/22")
    path = t.trace(t.address_place(ipaddress.IPv4Address("10.240.8.20")), t.fqdn("mcr.microsoft.com"), "TCP", 443)
    assert path.verdict == "allowed", path.as_dict()
    route = next(h for h in path.hops if h.layer == "route")
    assert (route.resource, route.rule) == ("routes of snet-pods", "0.0.0.0/0 -> VirtualAppliance 10.200.0.4 (user)")
    assert path.decided_by.layer == "firewall"

def test_dev_plan_decisions():
    plan = load_stack(load("dev"), "dev").plan
    assert plan.resource_groups == ("spoke",) and plan.edge == "spoke"
    assert plan.route_table and plan.route_table_subnets == ("nodes",) and plan.default_route_next_hop is None
    assert plan.api_server_zone is None and plan.nat_gateway_subnets == ()


def test_every_model_plan_and_component_argument_type_is_frozen():
    """Specs, plans and component arguments are values: nothing downstream may change them."""
    import importlib
    import pkgutil

    import aksnet
    import components
    unfrozen = []
    for package in (aksnet, components):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if (isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == info.name
                        and not value.__dataclass_params__.frozen):
                    unfrozen.append(f"{info.name}.{name}")
    # Results the analyses build up while they run, kept mutable on purpose.
    assert sorted(unfrozen) == ["aksnet.analysis.intent.IntentCheck", "aksnet.analysis.reachability.model.Cluster",
                                "aksnet.analysis.reachability.result.Group",
                                "aksnet.analysis.reachability.result.Reachability",
                                "aksnet.plan.addressing.AddressPlan"]


def test_an_analysis_per_plan_runs_once_for_a_plan_and_again_for_another():
    from aksnet.plan.plan import per_plan
    calls = []

    @per_plan
    def analysis(spec, plan):
        calls.append(plan)
        return len(calls)

    first, second = object(), object()
    assert [analysis(None, first), analysis(None, first), analysis(None, second), analysis(None, first)] == [1, 1, 2, 3]
    assert calls == [first, second, first]


ENVOY_ON_PROD = {"aks-networking:ingress": {"controller": "envoyGateway"}, "aks-networking:tls": DELETE,
                 "aks-networking:kubernetes.ingresses": []}


def _registry_rules(changes):
    plan = load_stack(variant(load("prod"), changes), "prod").plan
    return [rule for group in plan.firewall.groups for collection in group.collections
            for rule in collection["rules"] if rule["name"].startswith("pull-")]


def test_a_gateway_controller_s_registry_gets_one_firewall_rule_whether_or_not_an_app_pulls_from_it():
    """Envoy Gateway's chart and images come from docker.io (charts/gateway-helm values, docker.io/envoyproxy).
    Behind a firewall every flow no rule allows is denied (https://learn.microsoft.com/azure/firewall/rule-processing),
    and the AzureKubernetesService tag covers MCR only, so another registry needs an application rule from the
    nodes (https://learn.microsoft.com/azure/aks/outbound-rules-control-egress). Prod's apps pull from the
    platform registry's private endpoint: the controller alone needs docker.io; when an app pulls from it too,
    the app's rule lets the controller's images through as well, one rule."""
    alone = _registry_rules(ENVOY_ON_PROD)
    assert [(r["name"], r["sourceAddresses"], r["protocols"]) for r in alone] == [
        ("pull-docker-io", ["10.240.0.0/22"], [{"protocolType": "Https", "port": 443}])]
    assert {"registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com"} <= set(alone[0]["targetFqdns"])
    shared = _registry_rules({**ENVOY_ON_PROD, "aks-networking:kubernetes.allowedRegistries": ["docker.io"],
                              "aks-networking:kubernetes.apps[2].image": "redis:7.4-alpine"})
    assert [r["name"] for r in shared] == ["pull-docker-io"]


def test_with_a_pod_subnet_images_are_still_pulled_from_the_nodes_addresses():
    """The kubelet pulls images on the node (https://kubernetes.io/docs/concepts/containers/images/), in the
    node's network namespace, so its connections leave from the node's address whatever the plugin: with Azure
    CNI and a pod subnet (https://learn.microsoft.com/azure/aks/configure-azure-cni-dynamic-ip-allocation), pods
    take addresses of the pod subnet but the registry rule must still admit the node subnet."""
    from tests.test_addressing import flat_cni

    config = variant(flat_cni(10, 2, 50, "10.240.0.0/24"), {
        "aks-networking:network.spoke.subnets.pods": "10.240.8.0/22",
        "aks-networking:kubernetes.allowedRegistries": ["docker.io"],
        "aks-networking:kubernetes.apps[2].image": "redis:7.4-alpine"})
    plan = load_stack(config, "prod").plan
    rules = [rule for group in plan.firewall.groups for collection in group.collections
             for rule in collection["rules"] if rule["name"].startswith("pull-")]
    assert [(r["name"], r["sourceAddresses"]) for r in rules] == [("pull-docker-io", ["10.240.0.0/24"])]
