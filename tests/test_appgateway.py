"""Ingress through Application Gateway v2 with AGIC, and nginx through the app routing add-on."""


from components.appgateway import AGIC_MANAGED
from components.roles import BUILTIN_ROLES
from tests.stacks import load, variant
from tools.mock_engine import run_program


def test_waf_v2_gateway_with_a_prevention_policy(prod):
    gateway = prod.one("azure-native:network:ApplicationGateway")
    waf = prod.one("azure-native:network:WebApplicationFirewallPolicy")
    assert gateway.inputs["sku"] == {"name": "WAF_v2", "tier": "WAF_v2"}
    assert gateway.inputs["firewallPolicy"]["id"] == waf.outputs["id"]
    assert waf.inputs["policySettings"]["mode"] == "Prevention" and waf.inputs["policySettings"]["state"] == "Enabled"
    assert "webApplicationFirewallConfiguration" not in gateway.inputs
    assert gateway.inputs["gatewayIPConfigurations"][0]["subnet"]["id"].endswith("/subnets/snet-appgw")


def test_gateway_never_fights_agic(prod):
    gateway = prod.one("azure-native:network:ApplicationGateway")
    assert set(AGIC_MANAGED) <= set(gateway.ignore_changes)
    assert {"httpListeners", "requestRoutingRules", "backendAddressPools", "probes", "urlPathMaps"} <= set(gateway.ignore_changes)


def test_agic_addon_points_at_the_gateway(prod):
    gateway = prod.one("azure-native:network:ApplicationGateway")
    addon = prod.one("azure-native:containerservice:ManagedCluster").inputs["addonProfiles"]["ingressApplicationGateway"]
    assert addon == {"enabled": True, "config": {"applicationGatewayId": gateway.outputs["id"]}}


def test_agic_identity_gets_contributor_reader_and_network_contributor(prod):
    cluster = prod.one("azure-native:containerservice:ManagedCluster")
    agic = cluster.outputs["addonProfiles"]["ingressApplicationGateway"]["identity"]["objectId"]
    grants = {(r.inputs["roleDefinitionId"].rsplit("/", 1)[-1], r.inputs["scope"].rsplit("/", 1)[-1])
              for r in prod.of_type("azure-native:authorization:RoleAssignment") if r.inputs["principalId"] == agic}
    assert grants == {(BUILTIN_ROLES["Contributor"], "agw-prod-ingress"), (BUILTIN_ROLES["Reader"], "rg-prod-spoke"),
                      (BUILTIN_ROLES["Network Contributor"], "snet-appgw"),
                      # it rewrites a gateway with an identity of its own only if it may assign that identity
                      (BUILTIN_ROLES["Managed Identity Operator"], "id-prod-agw")}


def test_private_frontend_address_in_the_gateway_subnet():
    result = run_program("prod", variant(load("prod"), {"aks-networking:ingress.appGateway.privateIp": "10.240.4.10"}))
    assert result.error is None
    frontends = result.one("azure-native:network:ApplicationGateway").inputs["frontendIPConfigurations"]
    private = next(f for f in frontends if f["name"] == "frontend-private")
    assert private["privateIPAddress"] == "10.240.4.10" and private["privateIPAllocationMethod"] == "Static"


KUBENET_AGIC = {"aks-networking:ingress": {"controller": "appgw", "appGateway": {"sku": "WAF_v2", "wafMode": "Detection"}},
                "aks-networking:network.spoke.subnets.appgw": "192.168.3.0/24"}


def test_kubenet_with_agic_puts_the_cluster_route_table_on_the_gateway_subnet():
    config = variant(load("dev"), KUBENET_AGIC)
    result = run_program("dev", config)
    assert result.error is None, result.error
    table = result.one("azure-native:network:RouteTable").outputs["id"]
    subnets = {s.inputs["subnetName"]: s.inputs for s in result.of_type("azure-native:network:Subnet")}
    assert subnets["snet-appgw"]["routeTable"]["id"] == table == subnets["snet-nodes"]["routeTable"]["id"]



def test_with_kubenet_the_gateway_reaches_the_pods_by_the_routes_aks_writes_into_the_shared_table():
    """With kubenet, pods take addresses from the pod CIDR that only the route table's per-node routes lead to
    (https://learn.microsoft.com/azure/aks/configure-kubenet#bring-your-own-subnet-and-route-table-with-kubenet);
    with AGIC, the gateway's subnet gets that table as well, or the gateway cannot reach the pods
    (https://learn.microsoft.com/azure/application-gateway/tutorial-ingress-controller-add-on-existing#peer-the-two-virtual-networks-together).
    The model routes the gateway's packets to the pod CIDR by the table on its subnet."""
    from tests.test_paths import tracer_of
    t, _ = tracer_of(variant(load("dev"), KUBENET_AGIC), "dev")
    path = t.trace(t.internet(), t.app_place("development/frontend"), "TCP", 80)
    assert path.verdict == "allowed", path.as_dict()
    route = next(h for h in path.hops if h.layer == "route")
    assert route.resource == "routes of snet-appgw" and route.rule == "10.244.0.0/16 -> Cluster (aks)"

def test_internal_nginx_through_the_app_routing_add_on():
    config = variant(load("dev"), {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "internal"}}})
    result = run_program("dev", config)
    profile = result.one("azure-native:containerservice:ManagedCluster").inputs["ingressProfile"]
    assert profile["webAppRouting"]["nginx"]["defaultIngressControllerType"] == "Internal"


def test_the_bootstrap_listener_is_plain_http_on_port_80_with_no_certificate(prod):
    """A v2 gateway is created with one listener, pool and rule, which AGIC then replaces with the
    Ingresses' (HTTPS ones with the certificates the gateway holds). An HTTPS listener must name a
    certificate: https://learn.microsoft.com/azure/application-gateway/configuration-listeners#protocol
    The bootstrap listener names none, so it must be HTTP, on port 80."""
    gateway = prod.one("azure-native:network:ApplicationGateway").inputs
    [listener] = gateway["httpListeners"]
    assert listener["protocol"] == "Http" and "sslCertificate" not in listener
    assert [p["port"] for p in gateway["frontendPorts"]] == [80]
    # Its backend is plain HTTP on 80 too: an HTTPS backend setting expects TLS from the pool's servers
    # (https://learn.microsoft.com/azure/application-gateway/configuration-http-settings#protocol)
    assert [(s["protocol"], s["port"]) for s in gateway["backendHttpSettingsCollection"]] == [("Http", 80)]


def test_the_waf_policy_runs_the_default_rule_set_and_the_bot_manager(prod):
    """A WAF policy protects with the managed rule sets it names: Microsoft's Default Rule Set 2.1, the
    recommended one, and the Bot Manager rule set 1.0
    (https://learn.microsoft.com/azure/web-application-firewall/ag/application-gateway-crs-rulegroups-rules)."""
    waf = prod.one("azure-native:network:WebApplicationFirewallPolicy")
    sets = {(s["ruleSetType"], s["ruleSetVersion"]) for s in waf.inputs["managedRules"]["managedRuleSets"]}
    assert sets == {("Microsoft_DefaultRuleSet", "2.1"), ("Microsoft_BotManagerRuleSet", "1.0")}
