"""The stack file's edges: values as Pulumi and YAML hand them over, and the one line each mistake gets
(stack file, key path, what is wrong, what would be right)."""

from __future__ import annotations

import pytest
import yaml

from aksnet.config.problems import ConfigError
from aksnet.config.schema import Obj, Problems
from aksnet.config.stack import decode_value, load_spec
from tests.stacks import load, variant

C = "aks-networking:"


def problems_of(config, stack="dev"):
    with pytest.raises(ConfigError) as refused:
        load_spec(config, stack)
    return [(p.path, p.message) for p in refused.value.problems]


@pytest.mark.parametrize("value,decoded", [
    ("null", None),
    ('{"count": 2}', {"count": 2}),
    ("[1, 2]", [1, 2]),
    ("{not json", "{not json"),  # a plain string that happens to start like JSON stays a string
    ("[", "["),
    ("westeurope", "westeurope"),
])
def test_structured_config_arrives_as_json_and_anything_else_stays_as_it_is(value, decoded):
    """Under the CLI, a program reads a structured config value as its JSON text (a null as "null"):
    https://www.pulumi.com/docs/iac/concepts/config/#structured-configuration"""
    assert decode_value(value) == decoded


def test_a_section_that_is_not_json_is_refused_as_a_string_not_a_traceback():
    found = problems_of(variant(load("dev"), {f"{C}cluster": "{broken"}))
    assert found[0] == (f"{C}cluster", "is a string, expected a mapping of keys")


def test_a_key_without_its_namespace_is_told_the_full_key():
    """Config keys are `namespace:name`; a project's own keys take the project's name as namespace:
    https://www.pulumi.com/docs/iac/concepts/config/"""
    config = load("dev")
    config["cluster"] = config.pop(f"{C}cluster")
    assert ("cluster", "has no namespace; write aks-networking:cluster") in problems_of(config)


def test_an_unquoted_date_where_a_string_is_expected_is_named_as_a_date():
    """YAML reads an unquoted 2026-12-07 as a timestamp, not text (https://yaml.org/type/timestamp.html)."""
    cluster = yaml.safe_load("kubernetesVersion: 2026-12-07")
    found = problems_of(variant(load("dev"), {f"{C}cluster.kubernetesVersion": cluster["kubernetesVersion"]}))
    assert found == [(f"{C}cluster.kubernetesVersion", "is date, expected a string")]


def test_a_required_section_left_empty_is_one_line():
    """`spoke:` with nothing after it is null in YAML: one line says so, not two."""
    assert problems_of(variant(load("dev"), {f"{C}network.spoke": None})) == [
        (f"{C}network.spoke", "is required but empty (null)")]


def test_a_vnet_that_is_not_a_mapping_is_refused_at_its_key():
    found = problems_of(variant(load("dev"), {f"{C}network.spoke": "10.0.0.0/16"}))
    assert found[0] == (f"{C}network.spoke", "is a string, expected a mapping of keys")


@pytest.mark.parametrize("registry,shown", [("döcker.io", "'döcker.io'"), ("docker.io\t", "'docker.io\\t'")])
def test_a_registry_name_with_non_ascii_or_control_characters_is_refused(registry, shown):
    """A registry's host name is plain ASCII (RFC 1123 host names:
    https://learn.microsoft.com/azure/container-registry/container-registry-get-started-portal)."""
    found = problems_of(variant(load("dev"), {f"{C}kubernetes.allowedRegistries": [registry]}))
    assert found == [(f"{C}kubernetes.allowedRegistries[0]",
                      f"{shown} has non-ASCII or control characters; use plain ASCII")]


def test_a_network_rule_protocol_azure_firewall_does_not_have_is_refused():
    """A network rule's protocols are TCP, UDP, ICMP or Any:
    https://learn.microsoft.com/azure/firewall/rule-processing and the FirewallPolicyRuleNetworkProtocol enum
    (https://learn.microsoft.com/rest/api/firewall/firewall-policy-rule-collection-groups/create-or-update)."""
    rule = {"name": "sctp", "protocols": ["SCTP"], "destinationAddresses": ["203.0.113.0/24"], "ports": ["443"]}
    found = problems_of(variant(load("prod"), {f"{C}egress.firewall.networkRules": [rule]}), "prod")
    assert found == [(f"{C}egress.firewall.networkRules[0].protocols[0]", "'SCTP' is not one of TCP, UDP, ICMP, Any")]



@pytest.mark.parametrize("protocol, refused", [("TCP", False), ("UDP", False), ("ICMP", True), ("Any", True)])
def test_a_dnat_rule_publishes_tcp_or_udp(protocol, refused):
    """Azure Firewall translates TCP and UDP destinations (DNAT rules: https://learn.microsoft.com/azure/firewall/rule-processing#dnat-rules,
    https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat-policy); ICMP and Any have no port to
    publish."""
    rule = {"name": "dns", "protocol": protocol, "port": 53, "translatedAddress": "10.240.5.10", "translatedPort": 53}
    config = variant(load("prod"), {f"{C}egress.firewall.dnatRules": [rule]})
    if refused:
        [(path, message)] = problems_of(config, "prod")
        assert path == f"{C}egress.firewall.dnatRules[0].protocol"
        assert message.startswith(f"{protocol!r} is not one of TCP, UDP"), message
    else:
        assert load_spec(config, "prod").egress.firewall.dnat_rules[0].protocol == protocol

@pytest.mark.parametrize("destination,accepted", [
    ("AzureCloud.westeurope", True), ("AzureMonitor", True), ("*", True), ("10.1.0.0/16", True),
    ("10.1.0.1/16", False),  # host bits set
    ("Azure Cloud", False),
])
def test_a_network_rule_destination_is_an_address_a_range_or_a_service_tag(destination, accepted):
    """https://learn.microsoft.com/azure/firewall/service-tags: a service tag (optionally regional) stands
    for its address ranges in a network rule's destination."""
    rule = {"name": "out", "protocols": ["TCP"], "destinationAddresses": [destination], "ports": ["443"]}
    config = variant(load("prod"), {f"{C}egress.firewall.networkRules": [rule]})
    if accepted:
        firewall = load_spec(config, "prod").egress.firewall
        assert firewall is not None and firewall.network_rules[0].destination_addresses == (destination,)
    else:
        assert f"{C}egress.firewall.networkRules[0].destinationAddresses[0]" in dict(problems_of(config, "prod"))


@pytest.mark.parametrize("controller,block,attribute", [
    ("appgw", "appGateway", "app_gateway"), ("nginx", "nginx", "nginx")])
def test_a_controller_without_its_block_reads_as_an_empty_block(controller, block, attribute):
    """The documented defaults of each key of the block (docs/config-reference.md) hold when the block
    is left out: leaving it out and writing it empty are the same stack."""
    without = load_spec(variant(load("dev"), {f"{C}ingress": {"controller": controller}}), "dev").ingress
    empty = load_spec(variant(load("dev"), {f"{C}ingress": {"controller": controller, block: {}}}), "dev").ingress
    assert getattr(without, attribute) is not None
    assert getattr(without, attribute) == getattr(empty, attribute)


# The reader's own contract, for keys that use it: a bound or a length named in the line.
@pytest.mark.parametrize("value,minimum,maximum,message", [
    (0, 1, None, "is 0, expected a whole number of at least 1"),
    (11, None, 10, "is 11, expected a whole number of at most 10"),
    (11, 1, 10, "is 11, expected a whole number from 1 to 10"),
])
def test_an_out_of_range_number_names_its_bounds(value, minimum, maximum, message):
    problems = Problems()
    Obj(problems, f"{C}x", {"n": value}).whole("n", 5, minimum=minimum, maximum=maximum)
    assert [(p.path, p.message) for p in problems.items] == [(f"{C}x.n", message)]


@pytest.mark.parametrize("text,refused", [("a" * 8, False), ("a" * 9, True)])
def test_a_text_longer_than_its_limit_is_refused_with_the_limit(text, refused):
    problems = Problems()
    Obj(problems, f"{C}x", {"name": text}).text("name", max_len=8)
    assert [p.message for p in problems.items] == (["is 9 characters long; at most 8 are allowed"] if refused else [])


def test_a_required_choice_left_out_is_one_line():
    problems = Problems()
    read = Obj(problems, f"{C}x", {}).choice("mode", ("System", "User"))
    assert [(p.path, p.message) for p in problems.items] == [(f"{C}x.mode", "is required but missing")]
    assert read == "System"


@pytest.mark.parametrize("key", ["aks-networking:egress.firewall", "aks-networking:cluster.entraId"])
def test_an_optional_block_left_empty_is_refused_as_empty_not_as_required(key):
    """`firewall:` with nothing after it is YAML's null: read as absent it would drop the firewall its
    author meant to keep, so it is refused, in one line that does not call the block required."""
    with pytest.raises(ConfigError) as caught:
        load_spec(variant(load("prod"), {key: None}), "prod")
    assert str(caught.value).splitlines() == [
        f"stack configuration: {key}: is empty (null): give its keys, or leave it out"]


@pytest.mark.parametrize("stack, changes, expected", [
    ("prod", {}, "10.244.0.0/16"),                                         # Azure CNI Overlay
    ("dev", {}, "10.244.0.0/16"),                                          # kubenet
    ("prod", {"aks-networking:cluster.networkPluginMode": None,             # flat Azure CNI: pods take VNet addresses
              "aks-networking:cluster.networkDataplane": "azure", "aks-networking:cluster.networkPolicy": "calico"},
     None),
])
def test_the_pod_cidr_defaults_as_aks_defaults_it(stack, changes, expected):
    """Without --pod-cidr, AKS gives kubenet and Azure CNI Overlay clusters 10.244.0.0/16
    (https://learn.microsoft.com/azure/aks/azure-cni-overlay#ip-address-planning,
    https://learn.microsoft.com/azure/aks/configure-kubenet); flat Azure CNI has no pod CIDR."""
    from tests.stacks import DELETE

    config = variant(load(stack), {**changes, "aks-networking:cluster.podCidr": DELETE})
    pod_cidr = load_spec(config, stack).cluster.pod_cidr
    assert (str(pod_cidr) if pod_cidr is not None else None) == expected


def refused_at(changes, key, stack="prod"):
    """The problems the stack reader reports at one key path of a committed stack with `changes`."""
    try:
        load_spec(variant(load(stack), changes), stack)
    except ConfigError as error:
        return [p for p in error.problems if p.path == key]
    return []


@pytest.mark.parametrize("key", ["count", "minCount", "maxCount"])
@pytest.mark.parametrize("value, refused", [(1000, False), (1001, True)])
def test_a_node_pool_holds_at_most_1000_nodes(key, value, refused):
    """A node pool (a virtual machine scale set) holds at most 1,000 nodes
    (https://learn.microsoft.com/azure/aks/quotas-skus-regions#service-quotas-and-limits); the reader refuses
    one more at its key, whatever the address plan says of so many nodes."""
    pool = {"name": "system", "mode": "System", **({"count": value} if key == "count" else
                                                  {"minCount": 1, "maxCount": 1000, key: value})}
    at_key = refused_at({"aks-networking:cluster.nodePools": [pool]}, f"aks-networking:cluster.nodePools[0].{key}")
    assert bool(at_key) == refused, at_key


@pytest.mark.parametrize("name, refused", [
    ("a", False), ("userpool1234", False),   # 1 and 12 characters
    ("userpool12345", True),                  # 13
    ("1pool", True), ("User", True), ("user-pool", True),
])
def test_a_linux_node_pool_name_is_1_to_12_lower_case_letters_and_digits_from_a_letter(name, refused):
    """A node pool's name holds lower-case letters and digits only and begins with a letter; a Linux pool's
    is 1 to 12 characters long (https://learn.microsoft.com/azure/aks/use-system-pools#limitations)."""
    pools = [{"name": "system", "mode": "System", "count": 3}, {"name": name, "count": 1}]
    at_key = refused_at({"aks-networking:cluster.nodePools": pools}, "aks-networking:cluster.nodePools[1].name")
    assert bool(at_key) == refused, at_key


@pytest.mark.parametrize("name, refused", [
    ("a", False), ("a" * 54, False), ("aks-prod-2", False),
    ("a" * 55, True), ("2aks", True), ("aks-", True), ("aks_prod", True),
])
def test_the_cluster_name_is_a_dns_prefix_of_1_to_54_characters(name, refused):
    """The cluster's name is its DNS prefix too: 1 to 54 characters, letters, digits and hyphens, starting
    with a letter and ending with a letter or digit (https://learn.microsoft.com/azure/aks/troubleshoot-dns-prefix)."""
    at_key = refused_at({"aks-networking:cluster.name": name}, "aks-networking:cluster.name")
    assert bool(at_key) == refused, at_key


@pytest.mark.parametrize("stack, changes, expected", [
    ("prod", {}, 250),                                                       # Azure CNI Overlay
    ("dev", {}, 110),                                                        # kubenet
    ("prod", {"aks-networking:cluster.networkPluginMode": None, "aks-networking:cluster.podCidr": None,
              "aks-networking:cluster.networkDataplane": "azure", "aks-networking:cluster.networkPolicy": "calico"},
     30),                                                                    # flat Azure CNI
])
def test_max_pods_defaults_as_aks_defaults_it(stack, changes, expected):
    """Without maxPods, AKS runs 250 pods a node with Azure CNI Overlay, 30 with flat Azure CNI and 110 with
    kubenet (https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning#maximum-pods-per-node)."""
    from tests.stacks import DELETE

    pools = [{k: v for k, v in pool.items() if k != "maxPods"} for pool in load(stack)["aks-networking:cluster"]["nodePools"]]
    config = variant(load(stack), {**{k: (DELETE if v is None else v) for k, v in changes.items()},
                                   "aks-networking:cluster.nodePools": pools})
    assert {pool.max_pods for pool in load_spec(config, stack).cluster.node_pools} == {expected}
