"""Contracts users rely on, asserted on what reaches the engine (preview=False) or on the rules.

Each of these was once a one-line change that left the whole suite green; now each fails a test.
"""

from collections.abc import Mapping, Sequence

import pytest

from aksnet.config.problems import ConfigError
from aksnet.config.schema import Obj, Problems
from aksnet.rules.registry import BY_ID, RecordedResource
from aksnet.vocabulary import AGENT_POOL, CLUSTER
from tests.stacks import DELETE, load, validate_stack_config, variant


def test_route_tables_never_learn_gateway_routes(prod, dev):
    """BGP propagation would let an ExpressRoute/VPN route override the 0.0.0.0/0 to the firewall."""
    tables = prod.of_type("azure-native:network:RouteTable") + dev.of_type("azure-native:network:RouteTable")
    assert tables and all(t.inputs["disableBgpRoutePropagation"] is True for t in tables)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_subnets_of_a_vnet_are_written_one_after_another(stack, request):
    """Azure refuses concurrent writes to one VNet's subnets (AnotherOperationInProgress)."""
    result = request.getfixturevalue(stack)
    by_vnet: dict = {}
    for subnet in result.of_type("azure-native:network:Subnet"):
        by_vnet.setdefault(subnet.inputs["virtualNetworkName"], []).append(subnet)
    assert by_vnet
    for subnets in by_vnet.values():
        urns = {s.urn for s in subnets}
        waits_for = {s.urn: [d for d in s.dependencies if d in urns] for s in subnets}
        # A chain: one subnet first, every other waits for exactly one, and no two wait for the same.
        assert sorted(len(w) for w in waits_for.values()) == [0] + [1] * (len(subnets) - 1), waits_for
        awaited = [w[0] for w in waits_for.values() if w]
        assert len(set(awaited)) == len(awaited)


def test_private_dns_links_do_not_register_vms(prod):
    links = prod.of_type("azure-native:privatedns:VirtualNetworkLink")
    assert links and all(link.inputs["registrationEnabled"] is False for link in links)


def test_bastion_is_standard_with_tunnelling(prod):
    bastion = prod.one("azure-native:network:BastionHost")
    assert bastion.inputs["sku"] == {"name": "Standard"} and bastion.inputs["enableTunneling"] is True


def test_application_gateway_refuses_tls_below_1_2(prod):
    gateway = prod.one("azure-native:network:ApplicationGateway")
    assert gateway.inputs["sslPolicy"] == {"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101"}


def test_kubernetes_objects_wait_for_their_namespace(dev):
    namespaces = {r.inputs["metadata"]["name"]: r.urn for r in dev.of_type("kubernetes:core/v1:Namespace")}
    namespaced = [r for r in dev.records if r.type.startswith("kubernetes:") and r.custom
                  and (r.inputs.get("metadata") or {}).get("namespace") in namespaces]
    assert namespaced
    for record in namespaced:
        assert namespaces[record.inputs["metadata"]["namespace"]] in record.dependencies, record.name


@pytest.mark.parametrize("outbound", ["userAssignedNATGateway"])
def test_nat_gateway_takes_at_most_16_ips(outbound):
    base = {"aks-networking:cluster.outboundType": outbound, "aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "internal"}}}
    validate_stack_config(variant(load("dev"), {**base, "aks-networking:cluster.outboundIpCount": 16}), "dev")
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(variant(load("dev"), {**base, "aks-networking:cluster.outboundIpCount": 17}), "dev")
    assert [p.path for p in refused.value.problems] == ["aks-networking:cluster.outboundIpCount"]


def _violations(rule_id, resource):
    found = []
    BY_ID[rule_id].resource(resource, lambda message, urn=None: found.append(message))
    return found


def test_zones_rule_covers_node_pools_inline_and_standalone():
    pool = RecordedResource(AGENT_POOL, "user", "urn:user", {"agentPoolName": "user"})
    zoned = RecordedResource(AGENT_POOL, "user", "urn:user", {"agentPoolName": "user", "availabilityZones": ["1", "2"]})
    inline = RecordedResource(CLUSTER, "aks", "urn:aks", {"agentPoolProfiles": [{"name": "system"}]})
    assert _violations("zones-in-production", pool) and _violations("zones-in-production", inline)
    assert _violations("zones-in-production", zoned) == []


def test_no_plain_secrets_accepts_the_secret_marker_and_searches_lists():
    marked = RecordedResource("azure-native:compute:VirtualMachine", "vm", "urn:vm",
                              {"osProfile": {"adminPassword": "[secret]"}})
    listed = RecordedResource("azure-native:web:WebApp", "app", "urn:app",
                              {"siteConfig": {"connectionStrings": [{"connectionString": "Server=x;Password=y"}]}})
    assert _violations("no-plain-secrets", marked) == []
    assert _violations("no-plain-secrets", listed)


def test_an_out_of_range_number_reads_as_its_nearest_bound():
    """So the checks after it see a plausible value and add no follow-on problems."""
    problems = Problems()
    obj = Obj(problems, "aks-networking:x", {"high": 5000, "low": -3})
    assert obj.whole("high", minimum=1, maximum=1000) == 1000
    assert obj.whole("low", minimum=1, maximum=1000) == 1
    assert [p.path for p in problems.items] == ["aks-networking:x.high", "aks-networking:x.low"]


def test_prod_sends_its_network_profile_field_by_field(prod):
    profile = prod.one("azure-native:containerservice:ManagedCluster").inputs["networkProfile"]
    assert profile == {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium",
                       "networkPolicy": "cilium", "podCidr": "192.168.0.0/16", "serviceCidr": "172.16.0.0/16",
                       "dnsServiceIP": "172.16.0.10", "outboundType": "userDefinedRouting",
                       "loadBalancerSku": "standard"}


class _Proxy:
    """What pulumi-policy hands a rule under the real analyzer: sequences that are no `list`, and
    values that raise when read because they are unknown until the update."""

    class Unknown(Exception):
        pass

    class Seq(Sequence):
        def __init__(self, items):
            self._items = items

        def __len__(self):
            return len(self._items)

        def __getitem__(self, index):
            item = self._items[index]
            if item is _Proxy:
                raise _Proxy.Unknown()
            return item

    class Map(Mapping):
        def __init__(self, items):
            self._items = items

        def __iter__(self):
            return iter(self._items)

        def __len__(self):
            return len(self._items)

        def __getitem__(self, key):
            item = self._items[key]
            if item is _Proxy:
                raise _Proxy.Unknown()
            return item


def test_no_plain_secrets_reads_analyzer_sequences_and_passes_over_unknown_values():
    props = _Proxy.Map({"id": _Proxy, "settings": _Proxy.Seq([_Proxy, _Proxy.Map({"password": "hunter2"})])})
    found = []
    BY_ID["no-plain-secrets"].resource(RecordedResource("azure-native:web:WebApp", "a", "urn:a", props),
                                       lambda message, urn=None: found.append(message))
    assert len(found) == 1 and found[0].startswith("settings[1].password ")


def test_waf_policy_limits_uploads_as_the_reference_design(prod):
    settings = prod.one("azure-native:network:WebApplicationFirewallPolicy").inputs["policySettings"]
    assert (settings["fileUploadLimitInMb"], settings["maxRequestBodySizeInKb"]) == (10, 128)


def test_firewall_has_one_ip_configuration_per_public_ip(prod):
    firewall = prod.one("azure-native:network:AzureFirewall")
    names = [c["name"] for c in firewall.inputs["ipConfigurations"]]
    ips = [r for r in prod.of_type("azure-native:network:PublicIPAddress") if "firewall" in r.name]
    assert names == ["ipconfig-1", "ipconfig-2", "ipconfig-3"] and len(ips) == 3


def test_nat_gateway_gets_exactly_the_public_ips_asked_for():
    from tools.mock_engine import run_program
    config = variant(load("dev"), {"aks-networking:cluster.outboundType": "userAssignedNATGateway",
                                   "aks-networking:cluster.outboundIpCount": 2,
                                   "aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "internal"}}})
    result = run_program("dev", config)
    assert result.error is None, result.error
    gateway = result.one("azure-native:network:NatGateway")
    assert len(gateway.inputs["publicIpAddresses"]) == 2


def test_agent_pool_arguments_are_the_sdk_keywords():
    from components.cluster import _snake
    assert [_snake(n) for n in ("vmSize", "vnetSubnetID", "maxPods", "enableAutoScaling", "osDiskType")] == \
        ["vm_size", "vnet_subnet_id", "max_pods", "enable_auto_scaling", "os_disk_type"]


def test_pool_settings_send_only_what_the_stack_chose():
    from aksnet.plan.cluster_profile import pool_settings
    pools = validate_stack_config(variant(load("prod"), {"aks-networking:cluster.nodePools[0].minCount": 1,
                                                         "aks-networking:cluster.nodePools[1].minCount": 0}),
                                  "prod").cluster.node_pools
    assert pool_settings(pools[0], "33%")["count"] == 1  # an autoscaled System pool starts with a node
    assert pool_settings(pools[1], "33%")["count"] == 0  # a User pool may start empty
    assert pool_settings(pools[1], "33%")["osDiskType"] == "Ephemeral"
    assert "osDiskType" not in pool_settings(validate_stack_config(load("dev"), "dev").cluster.node_pools[0], "1")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_azure_input_is_a_property_the_sdk_knows(stack, request):
    from tests.sdk_names import unknown_inputs
    assert unknown_inputs(request.getfixturevalue(stack).records) == []


def test_a_misspelled_azure_input_is_caught():
    from tests.sdk_names import unknown_inputs
    from tools.mock_engine import Record
    subnet = Record("azure-native:network:Subnet", "s", "urn:s", None, True,
                    {"subnetName": "snet-nodes", "addressPrefixs": "10.0.0.0/24", "tags": {"anything": "x"}}, {})
    assert unknown_inputs([subnet]) == ["azure-native:network:Subnet s: addressPrefixs"]


def _urn_of(result, typ, name_part):
    return next(r.urn for r in result.of_type(typ) if name_part in r.name)


def test_vnet_writes_go_one_at_a_time_and_the_cluster_waits_for_the_way_out(prod):
    subnets = prod.of_type("azure-native:network:Subnet")
    last = {}
    for vnet in ("hub", "spoke"):
        mine = [s for s in subnets if s.name.startswith(f"{vnet}-")]
        waited = {d for s in mine for d in s.dependencies}
        last[vnet] = next(s.urn for s in mine if s.urn not in waited)  # the end of the chain
    peerings = prod.of_type("azure-native:network:VirtualNetworkPeering")
    assert len(peerings) == 2 and all({last["hub"], last["spoke"]} <= set(p.dependencies) for p in peerings)
    links = prod.of_type("azure-native:privatedns:VirtualNetworkLink")
    assert links and all({p.urn for p in peerings} <= set(link.dependencies) for link in links)
    cluster = prod.one("azure-native:containerservice:ManagedCluster")
    route = prod.one("azure-native:network:Route")
    assert {p.urn for p in peerings} | {route.urn} | {link.urn for link in links} <= set(cluster.dependencies)


def test_a_private_zone_of_ours_gives_the_control_plane_network_contributor_on_the_vnet(prod):
    from components.roles import BUILTIN_ROLES
    identity = next(i for i in prod.of_type("azure-native:managedidentity:UserAssignedIdentity")
                    if i.name == "cluster-identity")
    vnet = next(v for v in prod.of_type("azure-native:network:VirtualNetwork") if v.name == "spoke-vnet")
    grants = {(r.inputs["roleDefinitionId"].rsplit("/", 1)[-1], r.inputs["scope"])
              for r in prod.of_type("azure-native:authorization:RoleAssignment")
              if r.inputs["principalId"] == identity.outputs["principalId"]}
    assert (BUILTIN_ROLES["Network Contributor"], vnet.outputs["id"]) in grants


def test_entra_groups_and_the_deployer_get_their_aks_rbac_roles_on_the_cluster(prod, dev):
    from components.roles import BUILTIN_ROLES
    admin, reader = BUILTIN_ROLES["Azure Kubernetes Service RBAC Cluster Admin"], BUILTIN_ROLES[
        "Azure Kubernetes Service RBAC Reader"]
    cluster = prod.one("azure-native:containerservice:ManagedCluster")
    access = {(r.inputs["roleDefinitionId"].rsplit("/", 1)[-1], r.inputs["principalId"], r.inputs.get("principalType"))
              for r in prod.of_type("azure-native:authorization:RoleAssignment") if r.inputs["scope"] == cluster.outputs["id"]}
    assert access == {(admin, "6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7", "Group"),
                      (reader, "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d", "Group")}  # prod renders: no deployer grant
    dev_cluster = dev.one("azure-native:containerservice:ManagedCluster")
    deployer = [r for r in dev.of_type("azure-native:authorization:RoleAssignment")
                if r.inputs["scope"] == dev_cluster.outputs["id"]]
    assert [r.inputs["roleDefinitionId"].rsplit("/", 1)[-1] for r in deployer] == [admin]
    assert deployer[0].inputs["principalType"] == "ServicePrincipal"  # CI's identity, unless the stack says User


def test_applying_the_layer_with_nobody_allowed_to_is_refused():
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(variant(load("dev"), {"aks-networking:cluster.entraId": {"grantDeployer": False}}), "dev")
    assert [p.path for p in refused.value.problems] == ["aks-networking:cluster.entraId.grantDeployer"]


def test_with_the_dns_proxy_on_the_spoke_resolves_through_the_firewall(prod, dev):
    firewall = prod.one("azure-native:network:AzureFirewall")
    address = firewall.outputs["ipConfigurations"][0]["privateIPAddress"]
    vnets = {v.name: v for v in prod.of_type("azure-native:network:VirtualNetwork")}
    assert vnets["spoke-vnet"].inputs["dhcpOptions"] == {"dnsServers": [address]}
    assert "dhcpOptions" not in vnets["hub-vnet"].inputs  # the hub, and the firewall itself, use Azure DNS
    assert firewall.urn in vnets["spoke-vnet"].dependencies
    assert all("dhcpOptions" not in v.inputs for v in dev.of_type("azure-native:network:VirtualNetwork"))


def test_the_hub_lock_is_a_cannotdelete_lock_on_the_hub_group_when_asked_for(prod):
    from tools.mock_engine import run_program
    assert prod.of_type("azure-native:authorization:ManagementLockAtResourceGroupLevel") == []
    result = run_program("prod", variant(load("prod"), {"aks-networking:environment.lockHub": True}))
    assert result.error is None, result.error
    lock = result.one("azure-native:authorization:ManagementLockAtResourceGroupLevel")
    assert (lock.inputs["level"], lock.inputs["resourceGroupName"]) == ("CanNotDelete", "rg-prod-hub")
    with pytest.raises(ConfigError):
        validate_stack_config(variant(load("dev"), {"aks-networking:environment.lockHub": True}), "dev")


def test_the_hub_resolver_answers_at_a_fixed_address_in_its_delegated_subnet(prod):
    endpoint = prod.one("azure-native:dnsresolver:InboundEndpoint")
    config = endpoint.inputs["ipConfigurations"][0]
    assert (config["privateIpAddress"], config["privateIpAllocationMethod"]) == ("10.200.0.132", "Static")
    subnet = next(s for s in prod.of_type("azure-native:network:Subnet") if s.inputs["subnetName"] == "snet-dns")
    assert config["subnet"]["id"] == subnet.outputs["id"]
    assert subnet.inputs["delegations"][0]["serviceName"] == "Microsoft.Network/dnsResolvers"
    resolver = prod.one("azure-native:dnsresolver:DnsResolver")
    hub = next(v for v in prod.of_type("azure-native:network:VirtualNetwork") if v.name == "hub-vnet")
    assert resolver.inputs["virtualNetwork"]["id"] == hub.outputs["id"]
    assert prod.exports["dnsResolverAddress"] == "10.200.0.132"


@pytest.mark.parametrize("changes,key", [
    ({"aks-networking:network.hub.subnets.dns": DELETE}, "aks-networking:network.dnsResolver"),
    ({"aks-networking:network.dnsResolver": False}, "aks-networking:network.hub.subnets.dns"),
    ({"aks-networking:network.hub.subnets.dns": "10.200.0.0/23"}, "aks-networking:network.hub.subnets.dns"),
])
def test_the_resolver_and_its_subnet_go_together(changes, key):
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(variant(load("prod"), changes), "prod")
    assert key in [p.path for p in refused.value.problems]


def test_prod_disables_run_command_now_that_its_layer_arrives_by_gitops(prod, dev):
    assert prod.one("azure-native:containerservice:ManagedCluster").inputs["apiServerAccessProfile"][
        "disableRunCommand"] is True
    assert "disableRunCommand" not in dev.one("azure-native:containerservice:ManagedCluster").inputs[
        "apiServerAccessProfile"]


def test_peerings_forward_but_lend_no_gateway(prod):
    """aks-baseline: VNet access on; gateway transit and remote gateways off (forwarded traffic on,
    so the hub firewall's traffic flows)."""
    for peering in prod.of_type("azure-native:network:VirtualNetworkPeering"):
        flags = {k: peering.inputs[k] for k in ("allowVirtualNetworkAccess", "allowForwardedTraffic",
                                                "allowGatewayTransit", "useRemoteGateways")}
        assert flags == {"allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
                         "allowGatewayTransit": False, "useRemoteGateways": False}


def test_a_rule_disabled_for_development_does_not_refuse_a_development_stack():
    config = variant(load("prod"), {"aks-networking:environment.production": False,
                                    "aks-networking:ingress.appGateway.wafMode": "Detection"})
    assert validate_stack_config(config, "prod").ingress.app_gateway.waf_mode == "Detection"
    with pytest.raises(ConfigError):
        validate_stack_config(variant(load("prod"), {"aks-networking:ingress.appGateway.wafMode": "Detection"}), "prod")


def test_value_edges_of_flows_and_firewall_rules():
    from aksnet.config.schema import Problems
    from aksnet.config.stack import firewall_address
    from aksnet.config.workloads import parse_port
    problems = Problems()
    assert parse_port(problems, "p", "TCP/65535").port == 65535 and not problems.items
    assert parse_port(problems, "p", "TCP/1-65535").end_port == 65535 and not problems.items
    assert firewall_address(problems, "a", 5) is None and problems.items


# Survivors of the 2026-11-28 mutation run (spec layer), each a behaviour a user relies on ------

def test_an_ingress_path_port_takes_the_whole_port_range():
    routes = load("prod")["aks-networking:kubernetes"]["ingresses"]
    for port, in_range in ((65535, True), (65536, False), (0, False)):
        config = variant(load("prod"), {"aks-networking:kubernetes.ingresses": [
            {**routes[0], "paths": [{"path": "/", "app": "web", "port": port}]}]})
        with pytest.raises(ConfigError) as refused:  # web has no Service port of these numbers
            validate_stack_config(config, "prod")
        messages = [p.message for p in refused.value.problems if p.path.endswith("ingresses[0].paths[0].port")]
        assert any("from 1 to 65535" in m for m in messages) != in_range, (port, messages)


def test_flux_reconciles_every_five_minutes_unless_told_otherwise(prod):
    flux = prod.one("azure-native:kubernetesconfiguration:FluxConfiguration")
    assert flux.inputs["gitRepository"]["syncIntervalInSeconds"] == 300
    assert flux.inputs["kustomizations"]["layer"]["syncIntervalInSeconds"] == 300


def test_the_layer_output_says_how_it_arrives(prod, dev):
    assert prod.exports["kubernetesLayer"] == \
        "reconciled by Flux from https://github.com/contoso/aks-networking (main:deploy/prod)"
    assert dev.exports["kubernetesLayer"] == "applied through the cluster's kubeconfig"


def test_a_peer_with_an_ip_block_and_one_selector_is_refused():
    from aksnet.config.policy_spec import check_policy_spec
    from aksnet.config.schema import Problems
    problems = Problems()
    check_policy_spec(problems, "spec", {"podSelector": {}, "ingress": [{"from": [
        {"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]})
    assert any("combines ipBlock with a selector" in p.message for p in problems.items)
