"""The network profile AKS receives, over every plugin x policy x outbound choice."""

import itertools

import pytest

from aksnet.config.problems import ConfigError
from aksnet.plan.cluster_profile import network_profile, pool_settings
from tests.stacks import load, validate_stack_config

PLUGINS = {
    "kubenet": {"networkPlugin": "kubenet"},
    "azure-flat": {"networkPlugin": "azure"},
    "azure-pod-subnet": {"networkPlugin": "azure", "pods": True},
    "azure-overlay": {"networkPlugin": "azure", "networkPluginMode": "overlay"},
    "azure-overlay-cilium": {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium"},
    "azure-pod-subnet-cilium": {"networkPlugin": "azure", "networkDataplane": "cilium", "pods": True},
    "none": {"networkPlugin": "none"},
}
POLICIES = ("none", "azure", "calico", "cilium")
OUTBOUND = ("loadBalancer", "managedNATGateway", "userAssignedNATGateway", "userDefinedRouting")


def stack_for(plugin, policy, outbound):
    choice = dict(PLUGINS[plugin])
    pods = choice.pop("pods", False)
    cluster = {
        "networkPlugin": choice["networkPlugin"], "networkPolicy": policy, "outboundType": outbound,
        "serviceCidr": "172.16.0.0/16", "dnsServiceIp": "172.16.0.10",
        "nodePools": [{"name": "system", "mode": "System", "count": 3}],
        **{k: v for k, v in choice.items() if k != "networkPlugin"},
    }
    if choice["networkPlugin"] == "kubenet" or choice.get("networkPluginMode") == "overlay":
        cluster["podCidr"] = "192.168.0.0/16"
    if outbound == "userDefinedRouting":
        cluster["egressNextHopIp"] = "10.1.255.4"
    subnets = {"nodes": "10.1.0.0/20"}
    if pods:
        subnets["pods"] = "10.1.16.0/20"
    return {"azure-native:location": "westeurope",
            "aks-networking:network": {"spoke": {"addressSpace": ["10.1.0.0/16"], "subnets": subnets}},
            "aks-networking:cluster": cluster}


def valid(plugin, policy, outbound):
    if outbound == "managedNATGateway":  # only for a VNet AKS creates: https://learn.microsoft.com/azure/aks/nat-gateway
        return False
    dataplane = PLUGINS[plugin].get("networkDataplane", "azure")
    if plugin == "none":
        return policy == "none"
    if dataplane == "cilium":
        return policy == "cilium"
    if policy == "cilium":
        return False
    return not (plugin == "kubenet" and policy == "azure")


@pytest.mark.parametrize("plugin,policy,outbound", list(itertools.product(PLUGINS, POLICIES, OUTBOUND)))
def test_exact_profile_or_refusal(plugin, policy, outbound):
    config = stack_for(plugin, policy, outbound)
    if not valid(plugin, policy, outbound):
        with pytest.raises(ConfigError) as caught:
            validate_stack_config(config, "matrix")
        assert any(p.path.startswith(("aks-networking:cluster.network", "aks-networking:cluster.outboundType"))
                   for p in caught.value.problems)
        return
    profile = network_profile(validate_stack_config(config, "matrix").cluster)
    choice = PLUGINS[plugin]
    expected = {"networkPlugin": choice["networkPlugin"], "serviceCidr": "172.16.0.0/16",
                "dnsServiceIP": "172.16.0.10", "outboundType": outbound, "loadBalancerSku": "standard"}
    if choice["networkPlugin"] == "azure":
        expected["networkDataplane"] = choice.get("networkDataplane", "azure")
    if "networkPluginMode" in choice:
        expected["networkPluginMode"] = "overlay"
    if policy != "none":
        expected["networkPolicy"] = policy
    if plugin in ("kubenet", "azure-overlay", "azure-overlay-cilium"):
        expected["podCidr"] = "192.168.0.0/16"
    if outbound == "loadBalancer":
        expected["loadBalancerProfile"] = {"managedOutboundIPs": {"count": 1}}
    assert profile == expected
    assert "dockerBridgeCidr" not in profile


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_stacks_profile(stack):
    cluster = validate_stack_config(load(stack), stack).cluster
    profile = network_profile(cluster)
    assert "dockerBridgeCidr" not in profile
    assert ("podCidr" in profile) == cluster.uses_pod_cidr


def test_autoscaled_pool_starts_at_its_minimum_and_fixed_pool_at_its_count():
    spec = validate_stack_config(load("prod"), "prod")
    user = next(p for p in spec.cluster.node_pools if p.name == "user")
    settings = pool_settings(user, "33%")
    assert (settings["enableAutoScaling"], settings["minCount"], settings["maxCount"], settings["count"]) == (True, 2, 5, 2)
    assert settings["availabilityZones"] == ["1", "2", "3"] and settings["upgradeSettings"] == {"maxSurge": "33%"}
    system = next(p for p in spec.cluster.node_pools if p.name == "system")
    assert pool_settings(system, "33%")["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"]
    dev = validate_stack_config(load("dev"), "dev").cluster.node_pools[0]
    assert pool_settings(dev, "10%")["count"] == 2 and pool_settings(dev, "10%")["enableAutoScaling"] is False


def test_engine_names_exist_in_the_sdk():
    """Every camelCase key sent as a plain mapping is a property the azure-native schema knows."""
    import inspect
    import re

    from pulumi_azure_native.containerservice import _inputs
    source = inspect.getsource(_inputs)
    known = set(re.findall(r'@pulumi\.getter\(name="([A-Za-z0-9]+)"\)', source))
    known |= {m for m in re.findall(r"def ([a-z][a-z0-9_]*)\(self\)", source) if "_" not in m}
    spec = validate_stack_config(load("prod"), "prod")

    def keys(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from keys(item)
        elif isinstance(value, list):
            for item in value:
                yield from keys(item)
    sent = set(keys(network_profile(spec.cluster))) | set(keys(pool_settings(spec.cluster.node_pools[0], "1")))
    assert sent - known == set()


@pytest.mark.parametrize("plugin,policy,outbound", [
    ("kubenet", "calico", "userAssignedNATGateway"), ("azure-flat", "azure", "userAssignedNATGateway"),
    ("azure-pod-subnet-cilium", "cilium", "userDefinedRouting"), ("none", "none", "loadBalancer"),
])
def test_the_cluster_sends_exactly_the_profile(plugin, policy, outbound):
    """Through the mock engine: what reaches the engine is the profile, no SDK default added."""
    from tools.mock_engine import run_program
    config = stack_for(plugin, policy, outbound)
    result = run_program("matrix", config)
    assert result.error is None, result.error
    sent = result.one("azure-native:containerservice:ManagedCluster").inputs["networkProfile"]
    assert sent == network_profile(validate_stack_config(config, "matrix").cluster)
    assert "dockerBridgeCidr" not in sent
    assert ("podCidr" in sent) == (plugin == "kubenet")


@pytest.mark.parametrize("integrated", [True, False])
def test_api_server_vnet_integration_sends_the_flag_and_the_delegated_subnet(integrated):
    """apiServerAccessProfile.enableVnetIntegration and subnetId project the API server into the
    delegated subnet (https://learn.microsoft.com/azure/aks/api-server-vnet-integration,
    https://learn.microsoft.com/azure/templates/microsoft.containerservice/managedclusters)."""
    from aksnet.config.stack import load_spec
    from aksnet.plan.cluster_profile import api_server_profile
    from tests.stacks import variant
    changes = {"aks-networking:cluster.apiServerVnetIntegration": True,
               "aks-networking:network.spoke.subnets.apiserver": "192.168.4.0/28"} if integrated else {}
    cluster = load_spec(variant(load("dev"), changes), "dev").cluster
    profile = api_server_profile(cluster, subnet="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
                                                 "virtualNetworks/vnet/subnets/snet-apiserver")
    if integrated:
        assert profile["enableVnetIntegration"] is True
        assert profile["subnetId"].endswith("/subnets/snet-apiserver")
    else:
        assert "enableVnetIntegration" not in profile and "subnetId" not in profile
    assert profile["authorizedIPRanges"] == ["203.0.113.0/24"]  # dev's public API keeps its ranges either way


@pytest.mark.parametrize("integrated, zone", [(False, "privatelink.westeurope.azmk8s.io"),
                                              (True, "private.westeurope.azmk8s.io")])
def test_the_private_api_servers_zone_is_named_as_aks_accepts_it(integrated, zone):
    """A private cluster's own zone is `privatelink.<region>.azmk8s.io`; with API server VNet integration AKS
    accepts `private.<region>.azmk8s.io` (or a subzone of it) instead
    (https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone)."""
    from aksnet.pipeline import load_stack
    from tests.stacks import variant
    changes = {"aks-networking:cluster.apiServerVnetIntegration": True,
               "aks-networking:network.spoke.subnets.apiserver": "10.240.7.0/28"} if integrated else {}
    assert load_stack(variant(load("prod"), changes), "prod").plan.api_server_zone == zone
