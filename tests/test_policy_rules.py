"""Every policy rule with a violating and a passing resource (camelCase props, as the engine passes them)."""

import json
from pathlib import Path

import pytest
import yaml

from aksnet import vocabulary as rules
from aksnet.rules.registry import RULES, RecordedResource, RecordedStack, pack_levels
from tests.stacks import load, variant
from tools import preview
from tools.policy_check import CONFIG_DIR

RESOURCE_RULES = [r for r in RULES if r.checks_resources]


def resource(typ, props, name="r"):
    return RecordedResource(typ, name, f"urn:{name}", props)


def violations(rule, args):
    found = []
    check = rule.stack if isinstance(args, RecordedStack) else rule.resource
    check(args, lambda message, urn=None: found.append(message))
    return found


CLUSTER = rules.CLUSTER
OK_CLUSTER = {"apiServerAccessProfile": {"enablePrivateCluster": True}, "disableLocalAccounts": True,
              "networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium"},
              "agentPoolProfiles": [{"name": "system", "availabilityZones": ["1", "2", "3"]}]}


def svc(kind, internal=False):
    annotations = {rules.INTERNAL_LB_ANNOTATION: "true"} if internal else {}
    return resource(rules.SERVICE, {"metadata": {"name": "web", "namespace": "shop", "annotations": annotations},
                                    "spec": {"type": kind}})


def udr_cluster():
    return resource(CLUSTER, {"networkProfile": {"outboundType": "userDefinedRouting"}})


DEPLOY = resource(rules.DEPLOYMENT, {"metadata": {"name": "web", "namespace": "shop"}})
DENY = resource(rules.NETWORK_POLICY, {"metadata": {"name": "default-deny", "namespace": "shop"},
                                        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})

CASES = {
    "private-api-or-authorized-ranges": (
        resource(CLUSTER, {"apiServerAccessProfile": {"enablePrivateCluster": False}}),
        resource(CLUSTER, {"apiServerAccessProfile": {"authorizedIPRanges": ["203.0.113.0/24"]}})),
    "network-policy-engine-set": (resource(CLUSTER, {"networkProfile": {"networkPlugin": "azure"}}),
                                  resource(CLUSTER, OK_CLUSTER)),
    "default-deny-per-app-namespace": (RecordedStack([DEPLOY]), RecordedStack([DEPLOY, DENY])),
    "waf-prevention": (resource(rules.WAF_POLICY, {"policySettings": {"state": "Enabled", "mode": "Detection"}}),
                       resource(rules.WAF_POLICY, {"policySettings": {"state": "Enabled", "mode": "Prevention"}})),
    "firewall-threat-intel-deny": (resource(rules.FIREWALL_POLICY, {"threatIntelMode": "Alert"}),
                                   resource(rules.FIREWALL_POLICY, {"threatIntelMode": "Deny"})),
    "firewall-uses-policy": (resource(rules.FIREWALL, {"networkRuleCollections": [{"name": "classic"}]}),
                             resource(rules.FIREWALL, {"firewallPolicy": {"id": "/x/firewallPolicies/p"}})),
    "nsg-on-every-subnet": (resource(rules.SUBNET, {"subnetName": "snet-nodes"}),
                            resource(rules.SUBNET, {"subnetName": "AzureFirewallSubnet"})),
    "no-docker-bridge-cidr": (resource(CLUSTER, {"networkProfile": {"dockerBridgeCidr": "172.17.0.1/16"}}),
                              resource(CLUSTER, OK_CLUSTER)),
    "no-ingress-class-annotation": (
        resource(rules.INGRESS, {"metadata": {"annotations": {"kubernetes.io/ingress.class": "nginx"}}}),
        resource(rules.INGRESS, {"metadata": {}, "spec": {"ingressClassName": "nginx"}})),
    "ingress-host-and-tls": (
        resource(rules.INGRESS, {"spec": {"rules": [{"http": {}}]}}),
        resource(rules.INGRESS, {"spec": {"rules": [{"host": "a.example.com"}],
                                          "tls": [{"hosts": ["a.example.com"], "secretName": "a-tls"}]}})),
    # https://gateway-api.sigs.k8s.io/guides/tls/: TLS terminates at an HTTPS listener with certificateRefs.
    "gateway-host-and-tls": (
        resource(rules.GATEWAY, {"spec": {"listeners": [{"name": "http", "protocol": "HTTP", "port": 80,
                                                          "hostname": "a.example.com"}]}}),
        resource(rules.GATEWAY, {"spec": {"listeners": [
            {"name": "http", "protocol": "HTTP", "port": 80, "hostname": "a.example.com"},
            {"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "a.example.com",
             "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "a-tls"}]}}]}})),
    "no-plain-secrets": (resource("azure-native:compute:VirtualMachine", {"osProfile": {"adminPassword": "hunter2"}}),
                         resource("azure-native:compute:VirtualMachine", {"osProfile": {"adminUsername": "azure"}})),
    "zones-in-production": (resource(rules.FIREWALL, {"zones": []}), resource(rules.FIREWALL, {"zones": ["1", "2", "3"]})),
    "local-accounts-disabled": (resource(CLUSTER, {"disableLocalAccounts": False}), resource(CLUSTER, OK_CLUSTER)),
}


def test_every_resource_rule_has_its_two_cases():
    assert set(CASES) == {r.id for r in RESOURCE_RULES}


@pytest.mark.parametrize("rule", RESOURCE_RULES, ids=[r.id for r in RESOURCE_RULES])
def test_rule_flags_the_violating_resource(rule):
    assert violations(rule, CASES[rule.id][0])


@pytest.mark.parametrize("rule", RESOURCE_RULES, ids=[r.id for r in RESOURCE_RULES])
def test_rule_passes_the_good_resource(rule):
    assert violations(rule, CASES[rule.id][1]) == []


@pytest.mark.parametrize("listeners", [
    [{"name": "https", "protocol": "HTTPS", "port": 443, "tls": {"certificateRefs": [{"name": "a-tls"}]}}],  # no hostname
    [{"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "a.example.com"}],  # HTTPS without a certificate
    [{"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "a.example.com",
      "tls": {"certificateRefs": [{"name": "a-tls"}]}},
     {"name": "b", "protocol": "HTTP", "port": 80, "hostname": "b.example.com"}],  # one host left on plain HTTP
])
def test_a_gateway_with_a_host_not_served_over_https_is_flagged(listeners):
    rule = next(r for r in RESOURCE_RULES if r.id == "gateway-host-and-tls")
    assert violations(rule, resource(rules.GATEWAY, {"spec": {"listeners": listeners}}))


@pytest.mark.golden
@pytest.mark.parametrize("stack,production", [("dev", False), ("prod", True)])
def test_policy_pack_config_files_are_the_registry_levels(stack, production):
    assert json.loads(Path(CONFIG_DIR, f"{stack}.json").read_text()) == pack_levels(production)


def test_prod_has_no_mandatory_finding(prod):
    from tools.policy_check import check
    assert [f for f in check(prod.records, "prod", True) if f["level"] == "mandatory"] == []


def test_a_mandatory_violation_fails_the_preview(tmp_path, capsys):
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": variant(load("prod"), {"aks-networking:egress.firewall.threatIntelMode": "Alert"})}))
    code = preview.main(["prod", "--config", str(path)])
    _, err = capsys.readouterr()
    assert code == 1 and "firewall-threat-intel-deny" in err and "Traceback" not in err


def test_a_namespace_policy_that_allows_egress_is_no_default_deny():
    allows = resource(rules.NETWORK_POLICY, {"metadata": {"name": "open", "namespace": "shop"},
                                              "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
                                                       "egress": [{}]}})
    rule = next(r for r in RULES if r.id == "default-deny-per-app-namespace")
    assert violations(rule, RecordedStack([DEPLOY, allows]))


def test_a_missing_fixed_subnet_is_looked_for_where_it_belongs(tmp_path, capsys):
    """With a hub, the firewall's subnet belongs in the hub; in a single VNet, in the spoke."""
    from aksnet.config.problems import ConfigError
    from tests.stacks import DELETE, validate_stack_config
    for stack, where, changes in (("prod", "network.hub.subnets", {"aks-networking:network.hub.subnets.AzureBastionSubnet": DELETE}),
                                  ("dev", "network.spoke.subnets", {})):
        config = variant(load(stack), {"aks-networking:network.bastion": True, **changes})
        with pytest.raises(ConfigError) as refused:
            validate_stack_config(config, stack)
        assert any(f"AzureBastionSubnet in {where}" in p.message for p in refused.value.problems), stack


@pytest.mark.parametrize("zones,flagged", [([], True), (["1"], True), (["1", "1"], True), (["1", "2"], False),
                                           (["1", "2", "3"], False)])
def test_zones_in_production_wants_two_zones_at_least(zones, flagged):
    rule = next(r for r in RULES if r.id == "zones-in-production")
    for typ, key in ((rules.FIREWALL, "zones"), (rules.AGENT_POOL, "availabilityZones")):
        assert bool(violations(rule, resource(typ, {key: zones}))) is flagged
