"""Combinations AKS and Azure refuse, each refused offline with one line naming the key."""

import dataclasses

import pytest
import yaml

from aksnet.config.stack import load_spec
from aksnet.rules.registry import check_stack
from tests.stacks import DELETE, load, validate_stack_config, variant
from tools import preview

# Stack variants of prod and dev that AKS or Azure would reject, with the key the line must name.
FLAT_CNI = {"aks-networking:cluster.networkPluginMode": DELETE, "aks-networking:cluster.networkDataplane": "azure",
            "aks-networking:cluster.networkPolicy": "calico", "aks-networking:cluster.podCidr": DELETE}
REFUSALS = {
    "azure NPM on kubenet": ("dev", {"aks-networking:cluster.networkPolicy": "azure"},
                             "aks-networking:cluster.networkPolicy", "does not run on kubenet"),
    "cilium policy without the cilium dataplane": (
        "prod", {"aks-networking:cluster.networkDataplane": "azure"}, "aks-networking:cluster.networkPolicy",
        "needs networkDataplane cilium"),
    "cilium dataplane without overlay or pod subnet": (
        "prod", {**FLAT_CNI, "aks-networking:cluster.networkDataplane": "cilium",
                 "aks-networking:cluster.networkPolicy": "cilium"},
        "aks-networking:cluster.networkDataplane", "needs networkPluginMode overlay or a pods subnet"),
    "cilium dataplane with calico": ("prod", {"aks-networking:cluster.networkPolicy": "calico"},
                                     "aks-networking:cluster.networkPolicy", "cannot run beside the cilium dataplane"),
    "cilium dataplane on kubenet": ("dev", {"aks-networking:cluster.networkDataplane": "cilium"},
                                    "aks-networking:cluster.networkDataplane", "needs networkPlugin azure, not kubenet"),
    "cilium dataplane on a brought CNI": (
        "dev", {"aks-networking:cluster.networkPlugin": "none", "aks-networking:cluster.podCidr": DELETE,
                "aks-networking:cluster.networkPolicy": "none", "aks-networking:cluster.networkDataplane": "cilium"},
        "aks-networking:cluster.networkDataplane", "needs networkPlugin azure, not none"),
    "cilium dataplane without a policy engine": (
        "prod", {"aks-networking:cluster.networkPolicy": "none"}, "aks-networking:cluster.networkPolicy",
        "none does not hold with the cilium dataplane"),
    "overlay on kubenet": ("dev", {"aks-networking:cluster.networkPluginMode": "overlay"},
                           "aks-networking:cluster.networkPluginMode", "needs networkPlugin azure"),
    "policy engine with bring-your-own CNI": (
        "dev", {"aks-networking:cluster.networkPlugin": "none", "aks-networking:cluster.podCidr": DELETE},
        "aks-networking:cluster.networkPolicy", "cannot be installed with networkPlugin none"),
    "pod CIDR on flat Azure CNI": ("prod", {**FLAT_CNI, "aks-networking:cluster.podCidr": "192.168.0.0/16"},
                                   "aks-networking:cluster.podCidr", "takes no pod CIDR"),
    "pod subnet with overlay": ("prod", {"aks-networking:network.spoke.subnets.pods": "10.240.8.0/22"},
                                "aks-networking:network.spoke.subnets.pods", "only used by Azure CNI without Overlay"),
    "max pods below 10": ("prod", {"aks-networking:cluster.nodePools[1].maxPods": 9},
                          "aks-networking:cluster.nodePools[1].maxPods", "10 to 250"),
    "max pods above 250": ("dev", {"aks-networking:cluster.nodePools[0].maxPods": 251},
                           "aks-networking:cluster.nodePools[0].maxPods", "10 to 250"),
    "system pool without room for 30 pods": (
        "dev", {"aks-networking:cluster.nodePools[0].maxPods": 10, "aks-networking:cluster.nodePools[0].count": 2},
        "aks-networking:cluster.nodePools[0].maxPods", "room for 30 pods"),
    "no system pool": ("dev", {"aks-networking:cluster.nodePools[0].mode": "User"},
                       "aks-networking:cluster.nodePools", "no pool with mode System"),
    "kubenet beyond its route limit": (
        "dev", {"aks-networking:cluster.podCidr": "10.128.0.0/9", "aks-networking:cluster.nodePools[0].count": 400},
        "aks-networking:cluster.nodePools", "at most 400 routes"),
    "userDefinedRouting without an appliance": (
        "dev", {"aks-networking:cluster.outboundType": "userDefinedRouting",
                "aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "internal"}}},
        "aks-networking:cluster.outboundType", "needs a default route to a virtual appliance"),
    "authorized ranges on a private API": ("prod", {"aks-networking:cluster.authorizedIpRanges": ["203.0.113.0/24"]},
                                           "aks-networking:cluster.authorizedIpRanges", "only to a public API server"),
    "hub DNS zone without a hub": ("dev", {"aks-networking:cluster.private": True, "aks-networking:cluster.privateDnsZone": "hub",
                                           "aks-networking:cluster.authorizedIpRanges": [],
                                           "aks-networking:network.bastion": False},
                                   "aks-networking:cluster.privateDnsZone", "needs a hub VNet"),
    "local accounts off without Entra ID": ("dev", {"aks-networking:cluster.entraId": {"enabled": False}},
                                            "aks-networking:cluster.localAccounts", "needs Entra ID"),
    "firewall with no routed egress": ("prod", {"aks-networking:cluster.outboundType": "loadBalancer"},
                                       "aks-networking:egress.firewall", "no traffic leaves through it"),
    "Basic firewall without its management subnet": (
        "prod", {"aks-networking:egress.firewall.sku": "Basic", "aks-networking:egress.firewall.threatIntelMode": "Alert"},
        "aks-networking:egress.firewall.sku", "AzureFirewallManagementSubnet"),
    "Basic firewall in Deny mode": (
        "prod", {"aks-networking:egress.firewall.sku": "Basic",
                 "aks-networking:network.hub.subnets.AzureFirewallManagementSubnet": "10.200.0.128/26"},
        "aks-networking:egress.firewall.threatIntelMode", "not available on the Basic SKU"),
    "FQDN network rule without DNS proxy": (
        "prod", {"aks-networking:egress.firewall.dnsProxy": False, "aks-networking:egress.firewall.networkRules": [
            {"name": "ntp", "protocols": ["UDP"], "destinationFqdns": ["ntp.ubuntu.com"], "ports": ["123"]}]},
        "aks-networking:egress.firewall.networkRules[0].destinationFqdns", "need the firewall's DNS proxy"),
    "Bastion without its subnet": ("prod", {"aks-networking:network.hub.subnets.AzureBastionSubnet": DELETE},
                                   "aks-networking:network.bastion", "AzureBastionSubnet"),
    # Issue 4's refusals
    "public nginx behind userDefinedRouting": (
        "prod", {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "public"}},
                 "aks-networking:tls": DELETE, "aks-networking:kubernetes.ingresses[0].tlsSecret": DELETE},
        "aks-networking:kubernetes.ingresses[0]", "asymmetric routing"),
    "AGIC with a v1 gateway": ("prod", {"aks-networking:ingress.appGateway.sku": "WAF"},
                               "aks-networking:ingress.appGateway.sku", "AGIC supports only Standard_v2 and WAF_v2"),
    "appliance default route on the gateway subnet": (
        "prod", {"aks-networking:cluster.networkPlugin": "kubenet", "aks-networking:cluster.networkPluginMode": DELETE,
                 "aks-networking:cluster.networkDataplane": "azure", "aks-networking:cluster.networkPolicy": "calico",
                 "aks-networking:cluster.nodePools[0].maxPods": 110, "aks-networking:cluster.nodePools[1].maxPods": 110},
        "aks-networking:ingress.controller", "a v2 gateway does not support"),
    "firewall subnet not named exactly": (
        "prod", {"aks-networking:network.hub.subnets.AzureFirewallSubnet": DELETE,
                 "aks-networking:network.hub.subnets.FirewallSubnet": "10.200.0.0/26"},
        "aks-networking:network.hub.subnets.FirewallSubnet", "not a subnet role"),
    "AGIC with Overlay in Azure Government": ("prod", {"azure-native:location": "usgovvirginia"},
                                               "aks-networking:ingress.controller", "Azure Government"),
    # the DoD regions are Azure Government's too (https://learn.microsoft.com/azure/azure-government/documentation-government-overview-dod)
    "AGIC with Overlay in Azure Government (DoD)": ("prod", {"azure-native:location": "usdodeast"},
                                                     "aks-networking:ingress.controller", "Azure Government"),
    "WAF in Detection in production": ("prod", {"aks-networking:ingress.appGateway.wafMode": "Detection"},
                                       "aks-networking:ingress.appGateway.wafMode", "needs Prevention"),
    "gateway without WAF in production": ("prod", {"aks-networking:ingress.appGateway.sku": "Standard_v2"},
                                          "aks-networking:ingress.appGateway.sku", "has no web application firewall"),
    "nginx block under another controller": ("prod", {"aks-networking:ingress.nginx": {"visibility": "internal"}},
                                             "aks-networking:ingress.nginx", "is declared but ingress.controller is appgw"),
    "internal nginx without an ilb subnet": (
        "dev", {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "internal"}}, "aks-networking:network.spoke.subnets.ilb": DELETE},
        "aks-networking:ingress.nginx.visibility", "needs an internal load balancer subnet"),
    "static address outside the ilb subnet": (
        "dev", {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "internal", "staticIp": "192.168.1.50"}}},
        "aks-networking:ingress.nginx.staticIp", "not a usable address of the ilb subnet"),
}


NGINX_STILL_SUPPORTED = "2026-11-29"
"""A production stack on NGINX is refused from 2026-11-30 (lifecycle-past-end) before its paths are
walked: the cases about its paths are judged on the last day it was supported."""


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusal_exits_1_with_one_line_naming_the_key(case, tmp_path, capsys, monkeypatch):
    stack, changes, key, fragment = REFUSALS[case]
    if stack == "prod" and changes.get("aks-networking:ingress", {}).get("controller") == "nginx":
        monkeypatch.setenv("AKSNET_TODAY", NGINX_STILL_SUPPORTED)
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": variant(load(stack), changes)}))
    code = preview.main([stack, "--config", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    named = [line for line in lines if line.startswith(f"{path}: {key}: ")]
    assert named and any(fragment in line for line in named), lines
    assert "Traceback" not in err


DNAT = {"aks-networking:egress.firewall.dnatRules": [
    {"name": "https", "port": 443, "translatedAddress": "10.240.5.4", "translatedPort": 443}]}


def test_public_nginx_behind_udr_is_refused_even_with_a_dnat_rule(monkeypatch):
    """A DNAT rule does not bring a public load balancer's replies back: they still leave through the
    firewall. The path model finds it (no rule written for the case): the Ingress's paths are denied."""
    from aksnet.config.problems import ConfigError
    monkeypatch.setenv("AKSNET_TODAY", NGINX_STILL_SUPPORTED)
    config = variant(load("prod"), {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "public"}},
                                    "aks-networking:tls": DELETE, "aks-networking:kubernetes.ingresses[0].tlsSecret": DELETE,
                                    **DNAT})
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(config, "prod")
    ingress = [p for p in refused.value.problems if p.path == "aks-networking:kubernetes.ingresses[0]"]
    assert ingress and all("asymmetric routing" in p.message and "VirtualAppliance 10.200.0.4" in p.message
                           for p in ingress)


def test_public_load_balancer_behind_udr_gets_one_answer_from_config_check_and_preview(tmp_path, capsys):
    """The config check and the offline preview run the same path rule, so they agree; in development
    the same denial is advisory."""
    from aksnet.config.problems import ConfigError
    app = {"name": "public", "namespace": "shop", "image": "mcr.microsoft.com/azuredocs/aks-helloworld:v1",
           "labels": {"app": "public"}, "ports": [{"port": 80}], "serviceType": "LoadBalancer"}
    flow = {"name": "internet-to-public", "from": {"cidr": "0.0.0.0/0"}, "to": {"app": "public", "namespace": "shop"},
            "ports": ["TCP/80"]}
    kubernetes = load("prod")["aks-networking:kubernetes"]
    config = variant(load("prod"), {"aks-networking:kubernetes.apps": [*kubernetes["apps"], app],
                                    "aks-networking:kubernetes.flows": [*kubernetes["flows"], flow]})
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(config, "prod")
    # The Service's own path and the flow that declares the internet's access both break on the reply.
    assert {p.path for p in refused.value.problems} == {"aks-networking:kubernetes.apps[3].serviceType",
                                                        "aks-networking:kubernetes.flows[3]"}
    assert all("asymmetric" in p.message for p in refused.value.problems)
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    assert preview.main(["prod", "--config", str(path)]) == 1
    assert "asymmetric routing" in capsys.readouterr().err
    development = variant(config, {"aks-networking:environment.production": False})
    checked = check_stack(load_spec(development, "prod"))
    assert any(f.policy == "declared-paths-arrive" and f.level == "advisory" and "asymmetric" in f.message
               for f in checked.findings)


# One rule each, on the spec (cheap): the variant is refused at the key with the reason, the stack it
# varies is not. The expected outcome is the cited page's; the URL is the rule's `source` too.
C = "aks-networking:"
ONE_RULE = {
    # https://learn.microsoft.com/azure/aks/private-clusters: a private DNS zone serves a private API server.
    "hub DNS zone on a public API": (
        "dev", {f"{C}cluster.privateDnsZone": "hub"}, "hub-zone-needs-private-api-and-hub",
        f"{C}cluster.privateDnsZone", "hub is for a private API server"),
    # https://learn.microsoft.com/azure/aks/api-server-vnet-integration: the API server is projected into
    # a delegated subnet of the cluster's VNet; one without the other is a half-made design.
    "VNet integration without its subnet": (
        "dev", {f"{C}cluster.apiServerVnetIntegration": True}, "vnet-integration-needs-its-subnet",
        f"{C}cluster.apiServerVnetIntegration", "needs an apiserver subnet"),
    "apiserver subnet without VNet integration": (
        "dev", {f"{C}network.spoke.subnets.apiserver": "192.168.4.0/28"}, "vnet-integration-needs-its-subnet",
        f"{C}network.spoke.subnets.apiserver", "cluster.apiServerVnetIntegration is false"),
    # https://learn.microsoft.com/azure/aks/app-routing: a gateway block under Envoy Gateway is ignored.
    "appGateway block under another controller": (
        "dev", {f"{C}ingress.appGateway": {"sku": "WAF_v2"}}, "ingress-block-matches-controller",
        f"{C}ingress.appGateway", "is declared but ingress.controller is envoyGateway"),
    # https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure: a dedicated subnet.
    "AGIC without its gateway subnet": (
        "prod", {f"{C}network.spoke.subnets.appgw": DELETE}, "gateway-needs-its-subnet",
        f"{C}ingress.controller", "appgw needs a dedicated gateway subnet"),
    # Same page: a v2 gateway has a public frontend, a private one, or both; never neither.
    "gateway with no frontend": (
        "prod", {f"{C}ingress.appGateway.publicFrontend": False}, "gateway-needs-a-frontend",
        f"{C}ingress.appGateway", "neither a public frontend nor a privateIp"),
    # https://learn.microsoft.com/azure/aks/app-routing-nginx-configuration: a static IP is an internal
    # load balancer annotation; a public load balancer's address comes from Azure.
    "static address on a public nginx": (
        "dev", {f"{C}ingress": {"controller": "nginx", "nginx": {"visibility": "public", "staticIp": "192.168.2.20"}}},
        "nginx-fits-its-network", f"{C}ingress.nginx.staticIp", "is for an internal load balancer"),
    # https://kubernetes.io/docs/concepts/services-networking/ingress/#prerequisites: an Ingress without
    # a controller has no effect.
    "ingresses without a controller": (
        "dev", {f"{C}ingress": {"controller": "none"}}, "ingresses-need-a-controller",
        f"{C}kubernetes.ingresses", "need an ingress controller"),
    # https://learn.microsoft.com/azure/firewall/basic-features: Basic has no DNS proxy.
    "DNS proxy on a Basic firewall": (
        "prod", {f"{C}egress.firewall.sku": "Basic", f"{C}egress.firewall.threatIntelMode": "Alert",
                 f"{C}egress.firewall.dnsProxy": True}, "basic-firewall-features",
        f"{C}egress.firewall.dnsProxy", "the Basic SKU has no DNS proxy"),
    # https://learn.microsoft.com/azure/firewall/firewall-faq: the firewall takes AzureFirewallSubnet, a /26
    # at least; the message tells the user the size Azure wants.
    "firewall without its subnet": (
        "prod", {f"{C}network.hub.subnets.AzureFirewallSubnet": DELETE}, "firewall-needs-its-subnets",
        f"{C}egress.firewall", "named exactly AzureFirewallSubnet in network.hub.subnets (/26 or larger)"),
    # https://learn.microsoft.com/azure/firewall/basic-features: Basic also takes AzureFirewallManagementSubnet,
    # a /26, for its management traffic.
    "Basic firewall without its management subnet": (
        "prod", {f"{C}egress.firewall.sku": "Basic", f"{C}egress.firewall.threatIntelMode": "Alert",
                 f"{C}egress.firewall.dnsProxy": False}, "firewall-needs-its-subnets",
        f"{C}egress.firewall.sku", "Basic needs an AzureFirewallManagementSubnet (/26) beside AzureFirewallSubnet"),
    # https://learn.microsoft.com/azure/bastion/configuration-settings#subnet: AzureBastionSubnet, a /26 at least.
    "Bastion without its subnet": (
        "prod", {f"{C}network.hub.subnets.AzureBastionSubnet": DELETE}, "bastion-needs-its-subnet",
        f"{C}network.bastion", "named exactly AzureBastionSubnet in network.hub.subnets (/26 or larger)"),
    # https://learn.microsoft.com/azure/aks/istio-about: the add-on runs on AKS's own network plugins.
    "Istio add-on on a brought CNI": (
        "dev", {f"{C}cluster.serviceMesh": "istio", f"{C}cluster.networkPlugin": "none", f"{C}cluster.podCidr": DELETE,
                f"{C}cluster.networkPolicy": "none"}, "istio-needs-managed-cni",
        f"{C}cluster.serviceMesh", "needs an AKS-managed network plugin"),
}


@pytest.mark.parametrize("case", sorted(ONE_RULE))
def test_one_rule_refuses_its_variant_at_the_key_and_accepts_the_stack_it_varies(case):
    import datetime

    from aksnet.rules.registry import BY_ID
    stack, changes, rule_id, key, fragment = ONE_RULE[case]
    rule, day = BY_ID[rule_id], datetime.date(2026, 12, 7)
    assert rule.spec_problems(load_spec(load(stack), stack), day) == []
    found = rule.spec_problems(load_spec(variant(load(stack), changes), stack), day)
    assert [p.path for p in found] == [key] and fragment in found[0].message, found


@pytest.mark.parametrize("count,refused", [(15, False), (16, False), (17, True)])
@pytest.mark.parametrize("outbound", ["managedNATGateway", "userAssignedNATGateway"])
def test_nat_gateway_takes_at_most_16_public_addresses(outbound, count, refused):
    """https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource: up to 16 public IP addresses."""
    import datetime

    from aksnet.rules.registry import BY_ID
    spec = load_spec(load("dev"), "dev")
    spec = dataclasses.replace(spec, cluster=dataclasses.replace(spec.cluster, outbound_type=outbound,
                                                                 outbound_ip_count=count))
    found = BY_ID["nat-gateway-ip-limit"].spec_problems(spec, datetime.date(2026, 12, 7))
    assert [p.path for p in found] == ([f"{C}cluster.outboundIpCount"] if refused else [])
    assert all(f"is {count};" in p.message and "at most 16" in p.message for p in found)


def test_a_backend_reached_by_two_paths_without_a_probe_is_named_once():
    """https://learn.microsoft.com/azure/application-gateway/ingress-controller-add-health-probes: without a
    readiness probe AGIC probes GET /; one line per app, however many paths lead to it."""
    import datetime

    from aksnet.rules.registry import BY_ID
    config = variant(load("prod"), {f"{C}kubernetes.apps[0].probes": DELETE,
                                    f"{C}kubernetes.ingresses[0].paths[2]": {"path": "/static", "app": "web", "port": 80}})
    found = BY_ID["agic-backends-probe-over-http"].spec_problems(load_spec(config, "prod"), datetime.date(2026, 12, 7))
    assert [p.path for p in found] == [f"{C}kubernetes.apps[0].probes"]
    assert "GET / on port 8080" in found[0].message


def test_one_key_that_declares_an_object_twice_is_told_so():
    """https://kubernetes.io/docs/concepts/overview/working-with-objects/names/: one object per kind,
    namespace and name. Two AGC ingresses of one name both get a WAF policy `<name>-waf` from the one key
    ingress.agc.wafPolicyId (https://learn.microsoft.com/azure/application-gateway/for-containers/web-application-firewall)."""
    import datetime

    from aksnet.rules.registry import BY_ID
    from tests.stacks import example
    waf = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/"
           "ApplicationGatewayWebApplicationFirewallPolicies/waf")
    config = example("agc")
    twin = dict(config[f"{C}kubernetes"]["ingresses"][0], host="other.example.com")
    config = variant(config, {f"{C}ingress.agc": {"wafPolicyId": waf}, f"{C}kubernetes.ingresses[1]": twin})
    found = BY_ID["unique-kubernetes-objects"].spec_problems(load_spec(config, "prod"), datetime.date(2026, 12, 7))
    waf_lines = [p.message for p in found if p.path == f"{C}ingress.agc.wafPolicyId"]
    assert waf_lines == ["declares WebApplicationFirewallPolicy shop/shop-waf twice; give its parts distinct names"]
    assert {p.path for p in found} == {f"{C}kubernetes.ingresses[1]", f"{C}ingress.agc.wafPolicyId"}


@pytest.mark.parametrize("props,violates", [
    ({"sku": {"name": "WAF_v2"}}, True),                                        # no policy attached
    ({"sku": {"name": "Standard_v2"}, "firewallPolicy": {"id": "/waf"}}, True),  # a policy, but no WAF SKU
    ({"sku": {"name": "WAF_v2"}, "firewallPolicy": {"id": "/waf"}}, False),
])
def test_an_application_gateway_needs_the_waf_sku_and_a_waf_policy(props, violates):
    """https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview: a WAF policy is
    associated with a WAF_v2 gateway."""
    from aksnet.rules.registry import BY_ID, RecordedResource
    from aksnet.vocabulary import APP_GATEWAY
    found: list[str] = []
    BY_ID["waf-prevention"].resource(RecordedResource(APP_GATEWAY, "agw", "urn:agw", props),
                                     lambda message, urn=None: found.append(message))
    assert found == (["The application gateway has no WAF policy: use WAF_v2 with a WebApplicationFirewallPolicy."]
                     if violates else [])


def test_the_address_rule_asked_alone_agrees_with_the_registry():
    """The registry (and the policy pack through it) reuses the address plan it made; a caller asking the
    rule itself (`Rule.spec_problems`, every rule's public entry) gets the same refusal. A service CIDR over the VNet is refused:
    https://learn.microsoft.com/azure/aks/configure-kubenet#create-an-aks-cluster-in-the-virtual-network"""
    import datetime

    from aksnet.rules.registry import BY_ID, spec_verdicts
    day = datetime.date(2026, 12, 7)
    spec = load_spec(variant(load("dev"), {f"{C}cluster.serviceCidr": "192.168.128.0/17",
                                           f"{C}cluster.dnsServiceIp": "192.168.128.10"}), "dev")
    alone = BY_ID["address-plan"].spec_problems(spec, day)
    assert [p.path for p in alone] == [f"{C}cluster.serviceCidr"]
    assert tuple(alone) == spec_verdicts(spec, day).found["address-plan"]


@pytest.mark.parametrize("subnet, refused", [("10.201.0.0/24", False), ("10.201.0.0/23", True),
                                             ("10.201.0.0/28", False)])
def test_the_dns_resolvers_subnet_is_at_most_a_24(subnet, refused):
    """A DNS Private Resolver's inbound endpoint subnet is /28 at least and /24 at most
    (https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions)."""
    config = variant(load("prod"), {"aks-networking:network.hub.addressSpace": ["10.200.0.0/24", "10.201.0.0/22"],
                                    "aks-networking:network.hub.subnets.dns": subnet})
    import datetime

    from aksnet.rules.registry import BY_ID
    found = BY_ID["dns-resolver-has-its-subnet"].spec_problems(load_spec(config, "prod"), datetime.date(2026, 12, 7))
    assert [(p.path, p.message) for p in found] == ([(f"{C}network.hub.subnets.dns",
                                                      f"is a /{subnet.split('/')[1]}; a resolver's subnet is /28 to /24")]
                                                    if refused else []), found
