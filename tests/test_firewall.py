"""Egress through Azure Firewall: policy, AKS rules, the default route, DNAT."""


import dataclasses

from aksnet.plan.egress_rules import firewall_policy
from tests.stacks import load, validate_stack_config, variant
from tools.mock_engine import run_program


def rules_of(result):
    groups = result.of_type("azure-native:network:FirewallPolicyRuleCollectionGroup")
    return [rule for g in groups for c in g.inputs["ruleCollections"] for rule in c["rules"]]


def test_policy_denies_threats_and_proxies_dns(prod):
    policy = prod.one("azure-native:network:FirewallPolicy").inputs
    assert policy["threatIntelMode"] == "Deny" and policy["dnsSettings"] == {"enableProxy": True}
    assert policy["intrusionDetection"] == {"mode": "Deny"}  # Premium: IDPS in Deny
    firewall = prod.one("azure-native:network:AzureFirewall")
    assert firewall.inputs["firewallPolicy"]["id"] == prod.one("azure-native:network:FirewallPolicy").outputs["id"]
    assert "applicationRuleCollections" not in firewall.inputs  # a policy, never classic rules
    assert firewall.inputs["zones"] == ["1", "2", "3"]


def test_aks_fqdn_tag_on_http_and_https_from_the_cluster_only(prod):
    tagged = [r for r in rules_of(prod) if r.get("fqdnTags") == ["AzureKubernetesService"]]
    assert len(tagged) == 1
    assert {(p["protocolType"], p["port"]) for p in tagged[0]["protocols"]} == {("Http", 80), ("Https", 443)}
    group = prod.one("azure-native:network:IpGroup")
    assert group.inputs["ipAddresses"] == ["10.240.0.0/22"]
    for rule in rules_of(prod):
        # The cluster's IP group, or (workload rules, image pulls) the node subnet the firewall sees
        assert rule.get("sourceIpGroups") == [group.outputs["id"]] or rule["sourceAddresses"] == ["10.240.0.0/22"]


def test_workload_rules_follow_flows_and_images(prod):
    workloads = next(g for g in prod.of_type("azure-native:network:FirewallPolicyRuleCollectionGroup")
                     if g.inputs["ruleCollectionGroupName"] == "workload-egress")
    rules = {r["name"]: r for c in workloads.inputs["ruleCollections"] for r in c["rules"]}
    assert rules["api-to-payments"]["destinationAddresses"] == ["203.0.113.0/24"]
    assert rules["api-to-payments"]["destinationPorts"] == ["443"] and rules["api-to-payments"]["ipProtocols"] == ["TCP"]
    # prod's images come from its own registry, through the private endpoint: no pull leaves by the firewall
    assert set(rules) == {"api-to-payments"}
    assert workloads.inputs["priority"] == 300


def test_an_allowed_public_registry_gets_its_pull_rule():
    apps = load("prod")["aks-networking:kubernetes"]["apps"]
    config = variant(load("prod"), {"aks-networking:kubernetes.apps": [
        {**apps[0], "image": "ghcr.io/example/web:1"}, *apps[1:]],
        "aks-networking:kubernetes.allowedRegistries": ["ghcr.io"]})
    result = run_program("prod", config)
    assert result.error is None, result.error
    pull = next(r for r in rules_of(result) if r["name"] == "pull-ghcr-io")
    assert pull["targetFqdns"] == ["ghcr.io", "pkg-containers.githubusercontent.com"]
    assert pull["sourceAddresses"] == ["10.240.0.0/22"]  # the kubelet pulls from the node


def test_private_cluster_needs_no_tunnel_rules_and_a_public_one_does():
    spec = validate_stack_config(load("prod"), "prod")
    public_spec = dataclasses.replace(spec, cluster=dataclasses.replace(spec.cluster, private=False))
    private, public = (firewall_policy(s, ["10.240.0.0/22"], routed=True) for s in (spec, public_spec))

    def ports(policy):
        aks = next(g for g in policy.groups if g.name == "aks-egress")
        return {(r["ipProtocols"][0], r["destinationPorts"][0], r["destinationAddresses"][0])
                for c in aks.collections for r in c["rules"] if r["ruleType"] == "NetworkRule"}
    assert ports(private) == set()
    assert ports(public) == {("UDP", "1194", "AzureCloud.westeurope"), ("TCP", "9000", "AzureCloud.westeurope")}


def test_default_route_to_the_firewall_on_the_node_subnet(prod):
    route = prod.one("azure-native:network:Route").inputs
    firewall = prod.one("azure-native:network:AzureFirewall")
    assert (route["addressPrefix"], route["nextHopType"]) == ("0.0.0.0/0", "VirtualAppliance")
    assert route["nextHopIpAddress"] == firewall.outputs["ipConfigurations"][0]["privateIPAddress"] == "10.200.0.4"
    table = prod.one("azure-native:network:RouteTable")
    assert route["routeTableName"] == table.inputs["routeTableName"]
    nodes = next(s for s in prod.of_type("azure-native:network:Subnet") if s.inputs["subnetName"] == "snet-nodes")
    assert nodes.inputs["routeTable"]["id"] == table.outputs["id"]
    firewall_subnet = next(s for s in prod.of_type("azure-native:network:Subnet")
                           if s.inputs["subnetName"] == "AzureFirewallSubnet")
    assert "routeTable" not in firewall_subnet.inputs  # the firewall's own route is the internet


def test_firewall_waits_for_its_rule_groups(prod):
    firewall = prod.one("azure-native:network:AzureFirewall")
    groups = {g.urn for g in prod.of_type("azure-native:network:FirewallPolicyRuleCollectionGroup")}
    assert groups <= set(firewall.dependencies)


INTERNAL_APP = {"name": "portal", "namespace": "shop", "image": "mcr.microsoft.com/azuredocs/aks-helloworld:v1",
                "labels": {"app": "portal"}, "ports": [{"port": 443, "targetPort": 8443}],
                "serviceType": "InternalLoadBalancer", "staticIp": "10.240.5.4"}


def test_stack_rules_and_dnat():
    apps = load("prod")["aks-networking:kubernetes"]["apps"]
    config = variant(load("prod"), {"aks-networking:egress.firewall.allowedFqdns": ["api.github.com"],
                                    "aks-networking:kubernetes.apps": [*apps, INTERNAL_APP],
                                    "aks-networking:egress.firewall.dnatRules": [
                                        {"name": "web", "port": 443, "translatedAddress": "10.240.5.4",
                                         "translatedPort": 443}]})
    result = run_program("prod", config)
    assert result.error is None
    fqdns = [r for r in rules_of(result) if r.get("targetFqdns")]
    assert fqdns[0]["targetFqdns"] == ["api.github.com"]
    nat = [r for r in rules_of(result) if r["ruleType"] == "NatRule"]
    first_ip = next(p for p in result.of_type("azure-native:network:PublicIPAddress")
                    if p.inputs["publicIpAddressName"] == "pip-prod-fw-1")
    assert nat[0]["destinationAddresses"] == [first_ip.outputs["ipAddress"]] and nat[0]["translatedAddress"] == "10.240.5.4"
    # the rule names no protocol: TCP, the default docs/configuration.md gives `dnatRules[].protocol`
    assert nat[0]["ipProtocols"] == ["TCP"]


def test_a_basic_firewall_gets_its_management_ip_configuration_and_no_dns_proxy():
    """The Basic SKU needs AzureFirewallManagementSubnet and a public IP of its own for management traffic
    (https://learn.microsoft.com/azure/firewall/deploy-firewall-basic-portal-policy), and has no DNS proxy
    (https://learn.microsoft.com/azure/firewall/basic-features)."""
    config = variant(load("prod"), {
        "aks-networking:egress.firewall.sku": "Basic", "aks-networking:egress.firewall.threatIntelMode": "Alert",
        "aks-networking:egress.firewall.dnsProxy": False,
        "aks-networking:network.hub.subnets.AzureFirewallManagementSubnet": "10.200.0.192/26"})
    result = run_program("prod", config)
    assert result.error is None, result.error
    firewall = result.one("azure-native:network:AzureFirewall").inputs
    assert firewall["sku"] == {"name": "AZFW_VNet", "tier": "Basic"}
    management = firewall["managementIpConfiguration"]
    subnet = next(s for s in result.of_type("azure-native:network:Subnet")
                  if s.inputs["subnetName"] == "AzureFirewallManagementSubnet")
    assert management["subnet"]["id"] == subnet.outputs["id"]
    data_ips = {c["publicIPAddress"]["id"] for c in firewall["ipConfigurations"]}
    ips = {p.outputs["id"]: p for p in result.of_type("azure-native:network:PublicIPAddress")}
    assert management["publicIPAddress"]["id"] in ips and management["publicIPAddress"]["id"] not in data_ips
    assert "dnsSettings" not in result.one("azure-native:network:FirewallPolicy").inputs


def test_a_network_rule_sends_its_addresses_and_its_fqdns_each_where_azure_reads_them():
    """A network rule's destinations are destinationAddresses (addresses, ranges, service tags) and
    destinationFqdns, two properties of the NetworkRule
    (https://learn.microsoft.com/rest/api/firewall/firewall-policy-rule-collection-groups/create-or-update)."""
    rules = [{"name": "monitor", "protocols": ["TCP"], "destinationAddresses": ["AzureMonitor", "203.0.113.0/24"],
              "ports": ["443"]},
             {"name": "ntp", "protocols": ["UDP"], "destinationFqdns": ["ntp.ubuntu.com"], "ports": ["123"]}]
    spec = validate_stack_config(variant(load("prod"), {"aks-networking:egress.firewall.networkRules": rules}), "prod")
    policy = firewall_policy(spec, ["10.240.0.0/22"], routed=True)
    sent = {r["name"]: r for g in policy.groups for c in g.collections for r in c["rules"]}
    assert sent["monitor"]["destinationAddresses"] == ["AzureMonitor", "203.0.113.0/24"]
    assert "destinationFqdns" not in sent["monitor"]
    assert sent["ntp"]["destinationFqdns"] == ["ntp.ubuntu.com"] and "destinationAddresses" not in sent["ntp"]
    assert (sent["monitor"]["ipProtocols"], sent["monitor"]["destinationPorts"]) == (["TCP"], ["443"])


def test_a_flow_from_another_spoke_opens_the_ilb_subnet_for_internal_load_balancers_only():
    """The hub firewall forwards another spoke's packets with their source unchanged
    (https://learn.microsoft.com/azure/firewall/snat-private-range), so the ilb subnet's NSG allows that
    range to an internal load balancer's frontend (https://learn.microsoft.com/azure/aks/internal-lb);
    a ClusterIP Service is reachable only from inside the cluster
    (https://kubernetes.io/docs/concepts/services-networking/service/#type-clusterip) and gets no rule."""
    from aksnet.config.stack import load_spec
    from aksnet.plan.security_rules import cross_spoke_inbound
    kubernetes = load("spoke-b")["aks-networking:kubernetes"]
    ledger = {"name": "ledger", "namespace": "payments", "image": "platform://example/ledger:1.0.0",
              "labels": {"app": "ledger"}, "ports": [{"name": "http", "port": 8080}]}
    flow = {"name": "ledger-from-spoke-a", "from": {"cidr": "10.110.0.0/22"},
            "to": {"app": "ledger", "namespace": "payments"}, "ports": ["TCP/8080"]}
    config = variant(load("spoke-b"), {"aks-networking:kubernetes.apps": [*kubernetes["apps"], ledger],
                                       "aks-networking:kubernetes.flows": [*kubernetes["flows"], flow]})
    rules = cross_spoke_inbound(load_spec(config, "spoke-b"))
    assert [(r.name, r.source, r.destination, r.ports) for r in rules] == [
        ("AllowFlow-checkout-from-spoke-a-payments-tcp", "10.110.0.0/22", "10.120.4.10/32", ("8080",))]


def test_a_standard_firewall_policy_has_no_idps_and_keeps_its_dns_proxy():
    """IDPS is a feature of Azure Firewall Premium (https://learn.microsoft.com/azure/firewall/premium-features):
    a Standard policy with intrusionDetection is refused by Azure. Standard keeps the DNS proxy the FQDN
    network rules need (https://learn.microsoft.com/azure/firewall/dns-settings)."""
    result = run_program("prod", variant(load("prod"), {"aks-networking:egress.firewall.sku": "Standard"}))
    assert result.error is None, result.error
    policy = result.one("azure-native:network:FirewallPolicy").inputs
    assert policy["sku"] == {"tier": "Standard"} and "intrusionDetection" not in policy
    assert policy["dnsSettings"] == {"enableProxy": True}


def test_only_the_first_ip_configuration_names_the_firewall_subnet(prod):
    # The firewall's first IP configuration names AzureFirewallSubnet, where its private address comes from;
    # each further one carries a public IP alone (more SNAT and DNAT addresses), and Azure refuses a subnet there:
    # https://learn.microsoft.com/azure/firewall/deploy-multi-public-ip-powershell,
    # https://learn.microsoft.com/rest/api/virtualnetwork/azure-firewalls/create-or-update
    firewall = prod.one("azure-native:network:AzureFirewall").inputs
    configurations = firewall["ipConfigurations"]
    assert len(configurations) == 3
    assert "subnet" in configurations[0] and all("subnet" not in c for c in configurations[1:])
    assert all("publicIPAddress" in c for c in configurations)
