"""The stack configuration: types, enums, ranges, unknown keys, secure defaults."""

import pytest

from aksnet.config.problems import ConfigError
from aksnet.config.stack import load_spec
from tests.stacks import DELETE, load, validate_stack_config, variant


def problems_of(config, stack="prod"):
    with pytest.raises(ConfigError) as caught:
        validate_stack_config(config, stack)
    return caught.value.lines("Pulumi.test.yaml")


def test_committed_stacks_parse():
    for stack in ("dev", "prod"):
        spec = validate_stack_config(load(stack), stack)
        assert spec.environment.name == stack


@pytest.mark.parametrize("path,value,key,fragment", [
    ("aks-networking:cluster.netwrkPlugin", "azure", "aks-networking:cluster.netwrkPlugin", "did you mean 'networkPlugin'"),
    ("aks-networking:clustr", {}, "aks-networking:clustr", "not a known key"),
    ("aks-networking:cluster.networkPlugin", "calico", "aks-networking:cluster.networkPlugin", "not one of kubenet, azure, none"),
    ("aks-networking:cluster.private", "yes", "aks-networking:cluster.private", "expected true or false"),
    ("aks-networking:cluster.nodePools[0].maxCount", "four", "aks-networking:cluster.nodePools[0].maxCount", "expected a whole number"),
    ("aks-networking:cluster.serviceCidr", "172.16.0.0", "aks-networking:cluster.serviceCidr", "no prefix length"),
    ("aks-networking:cluster.serviceCidr", "172.16.0.1/16", "aks-networking:cluster.serviceCidr", "host bits set"),
    ("aks-networking:cluster.serviceCidr", "300.1.0.0/16", "aks-networking:cluster.serviceCidr", "not an IPv4 CIDR"),
    ("aks-networking:cluster.dnsServiceIp", "fd00::10", "aks-networking:cluster.dnsServiceIp", "IPv6"),
    ("aks-networking:network.spoke.subnets.AzureFirewallSubnet", "10.240.6.0/26", "aks-networking:network.spoke.subnets.AzureFirewallSubnet", "not a subnet role of the spoke VNet"),
    ("aks-networking:network.hub.subnets.AzureFirewallsubnet", "10.200.0.128/26", "aks-networking:network.hub.subnets.AzureFirewallsubnet", "did you mean 'AzureFirewallSubnet'"),
    ("aks-networking:cluster.nodePools", [], "aks-networking:cluster.nodePools", "at least 1"),
    ("aks-networking:cluster.nodePools[0].zones", [1, 4], "aks-networking:cluster.nodePools[0].zones[1]", "not an availability zone"),
    ("aks-networking:cluster.nodePools[0].name", "System-Pool", "aks-networking:cluster.nodePools[0].name", "lower-case"),
    ("aks-networking:environment.name", "prød", "aks-networking:environment.name", "non-ASCII"),
    ("aks-networking:cluster.outboundIpCount", 10 ** 12, "aks-networking:cluster.outboundIpCount", "from 1 to 100"),
    ("aks-networking:network", "10.0.0.0/8", "aks-networking:network", "expected a mapping"),
    ("aks-networking:network.spoke", DELETE, "aks-networking:network.spoke", "required"),
])
def test_each_mistake_is_one_line_naming_its_key(path, value, key, fragment):
    lines = problems_of(variant(load("prod"), {path: value}))
    matching = [line for line in lines if line.startswith(f"Pulumi.test.yaml: {key}: ")]
    assert matching, lines
    assert any(fragment in line for line in matching), matching
    assert all("\n" not in line and "Traceback" not in line for line in lines)


def test_every_problem_is_reported_at_once():
    config = variant(load("prod"), {"aks-networking:cluster.networkPlugin": "calico",
                                    "aks-networking:cluster.private": "yes",
                                    "aks-networking:egress.firewall.sku": "Ultra"})
    lines = problems_of(config)
    assert len(lines) >= 3


def test_location_is_required():
    lines = problems_of(variant(load("dev"), {"azure-native:location": DELETE}), "dev")
    assert any("azure-native:location: is required" in line for line in lines)


def test_structured_values_arrive_as_json_strings_under_the_cli():
    import json
    config = {key: (json.dumps(value) if not isinstance(value, str) else value)
              for key, value in load("dev").items()}
    assert load_spec(config, "dev").cluster.network_plugin == "kubenet"


def test_secure_defaults():
    minimal = {
        "azure-native:location": "westeurope",
        "aks-networking:network": {"spoke": {"addressSpace": ["10.10.0.0/16"],
                                             "subnets": {"nodes": "10.10.0.0/22"}}},
        "aks-networking:cluster": {"nodePools": [{"name": "system", "mode": "System", "count": 3}]},
    }
    spec = validate_stack_config(minimal, "qa")
    cluster = spec.cluster
    assert cluster.network_policy != "none"
    assert cluster.local_accounts is False and cluster.entra_id is not None and cluster.entra_id.azure_rbac
    assert cluster.workload_identity is True
    assert spec.ingress.controller == "none"
    assert spec.kubernetes.delivery == "apply"
    # no stray pod CIDR on flat Azure CNI, the plugin's own max pods default
    assert cluster.network_plugin == "azure" and cluster.pod_cidr is None
    assert cluster.node_pools[0].max_pods == 30


def test_firewall_defaults_are_the_strict_ones():
    config = variant(load("prod"), {"aks-networking:egress.firewall": {}})
    firewall = validate_stack_config(config, "prod").egress.firewall
    assert firewall.threat_intel_mode == "Deny" and firewall.dns_proxy is True


def test_a_null_section_reads_the_same_from_a_stack_file_and_from_the_engine():
    """YAML gives None; the engine hands a program the JSON string "null"."""
    from tools.mock_engine import flatten_config
    config = variant(load("dev"), {"aks-networking:environment": None})
    assert load_spec(config, "dev") == load_spec(flatten_config(config), "dev")


def test_a_surge_stored_as_a_number_reads_as_its_count():
    """`pulumi config set --path 'aks-networking:cluster.maxSurge' 1` stores the number 1."""
    assert load_spec(variant(load("dev"), {"aks-networking:cluster.maxSurge": 1}), "dev").cluster.max_surge == "1"
