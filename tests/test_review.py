"""The change review of committed stacks under changes a pull request makes: the action per resource,
the input that forces it, what Azure does with it, and the refusals.

Expected outcomes come from the provider's sources (pulumi-azure-native 3.29.0: diff.go, replacement.go
after PR #4771) and Microsoft's pages, cited at each test; not from this review's own output. Each run
of the program is kept by its config, so the two committed bases run once per test process.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.stacks import DELETE, load, variant
from tools.review import Side, review_sides, run_side

_SIDES: dict[str, Side] = {}

MC_URN = ("urn:pulumi:{stack}::aks-networking::aks-networking:cluster:Cluster$"
          "azure-native:containerservice:ManagedCluster::cluster-aks")
POOL_URN = ("urn:pulumi:prod::aks-networking::aks-networking:cluster:Cluster$"
            "azure-native:containerservice:AgentPool::cluster-pool-user")


def side(stack: str, config: dict[str, Any]) -> Side:
    key = stack + json.dumps(config, sort_keys=True, default=str)
    if key not in _SIDES:
        _SIDES[key] = run_side(stack, "head" if _SIDES else "base", config)
    return _SIDES[key]


def review(stack: str, changes: dict[str, Any], allowed: tuple[str, ...] = (), base: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    before = base if base is not None else load(stack)
    result = review_sides(stack, side(stack, before), side(stack, variant(before, changes)), allowed)
    document = result.as_json()
    document["exit"] = result.exit_code
    return document


def resource(document: dict[str, Any], urn: str) -> dict[str, Any]:
    return next(r for r in document["resources"] if r["urn"] == urn)


def finding(document: dict[str, Any], prefix: str) -> dict[str, Any]:
    found = [f for f in document["findings"] if f["id"].startswith(prefix)]
    assert found, f"no finding {prefix}: {[f['id'] for f in document['findings']]}"
    return found[0]


def consequence(document: dict[str, Any], urn: str, input_path: str) -> list[dict[str, Any]]:
    return [c for c in document["consequences"] if c["urn"] == urn and c["input"] == input_path]


CLUSTER = "aks-networking:cluster"


def test_service_cidr_replaces_the_cluster_and_collides_with_its_own_name():
    # forceNewMap (PR #4771): networkProfile.serviceCidr is create-only, no update path in AKS.
    document = review("dev", {f"{CLUSTER}.serviceCidr": "10.1.0.0/16", f"{CLUSTER}.dnsServiceIp": "10.1.0.10"})
    cluster = resource(document, MC_URN.format(stack="dev"))
    assert cluster["action"] == "replace"
    assert "networkProfile.serviceCidr" in cluster["forcedBy"]
    assert [c["kind"] for c in consequence(document, cluster["urn"], "networkProfile.serviceCidr")] == ["recreate"]
    # The cluster keeps its explicit name aks-dev: the provider creates before it deletes, and the create fails.
    assert finding(document, "replace-collides:cluster-aks")["level"] == "mandatory"
    assert any(r["change"] == "moved" and r["after"] == "10.1.0.0/16" for r in document["network"]["addressPlan"])
    assert document["exit"] == 1


def test_dns_service_ip_alone_replaces_the_cluster():
    document = review("dev", {f"{CLUSTER}.dnsServiceIp": "10.0.0.53"})
    cluster = resource(document, MC_URN.format(stack="dev"))
    assert (cluster["action"], cluster["forcedBy"]) == ("replace", ["networkProfile.dnsServiceIP"])
    assert "cluster DNS address" in consequence(document, cluster["urn"], "networkProfile.dnsServiceIP")[0]["what"]
    # pulumi-kubernetes replaces a provider whose kubeconfig's cluster changes (#2771), and its objects with it.
    provider = next(r for r in document["resources"] if r["type"] == "pulumi:providers:kubernetes")
    assert (provider["action"], provider["forcedBy"]) == ("replace", ["kubeconfig"])
    objects = [r for r in document["resources"] if r["type"].startswith("kubernetes:")]
    assert objects and {r["action"] for r in objects} == {"replace"}
    assert document["exit"] == 1


def test_outbound_type_is_replaced_by_the_provider_where_azure_changes_it_in_place():
    # The provider keeps outboundType force-new (PR #4771); AKS updates loadBalancer to
    # userAssignedNATGateway in place on a custom VNet (egress-outboundtype), with new egress addresses.
    document = review("dev", {f"{CLUSTER}.outboundType": "userAssignedNATGateway"})
    cluster = resource(document, MC_URN.format(stack="dev"))
    assert (cluster["action"], cluster["forcedBy"]) == ("replace", ["networkProfile.outboundType"])
    kinds = {c["kind"] for c in consequence(document, cluster["urn"], "networkProfile.outboundType")}
    assert kinds == {"migrates", "egress"}
    assert finding(document, "azure-migrates:cluster-aks:networkProfile.outboundType")["level"] == "advisory"
    assert finding(document, "new-egress:")["level"] == "advisory"
    assert finding(document, "replace-collides:cluster-aks")["level"] == "mandatory"


def test_kubenet_to_overlay_names_azures_one_way_migration_and_its_reimage():
    # upgrade-aks-ipam-and-dataplane: kubenet migrates in place to CNI Overlay, one way, all pools reimaged.
    document = review("dev", {f"{CLUSTER}.networkPlugin": "azure", f"{CLUSTER}.networkPluginMode": "overlay"})
    cluster = resource(document, MC_URN.format(stack="dev"))
    assert cluster["action"] == "replace"
    assert {"networkProfile.networkPlugin", "networkProfile.networkPluginMode"} <= set(cluster["forcedBy"])
    migration = consequence(document, cluster["urn"], "networkProfile.networkPlugin")
    assert [c["kind"] for c in migration] == ["migrates"]
    assert "one way" in migration[0]["what"] and "reimaged" in migration[0]["what"]
    assert "--network-plugin-mode overlay" in migration[0]["safe"] or "az aks update" in migration[0]["safe"]
    # A replaced cluster is created anew: the pool's new maxPods is no in-place update Azure could refuse.
    assert not [f for f in document["findings"] if f["id"].startswith("azure-refuses:cluster-aks")]
    assert finding(document, "azure-migrates:cluster-aks:networkProfile.networkPlugin")["level"] == "advisory"


def test_a_new_app_with_an_ingress_is_created_and_newly_allowed_from_the_internet():
    app = {"name": "catalog", "namespace": "development", "image": "nginxinc/nginx-unprivileged:1.27-alpine",
           "labels": {"app": "catalog"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
           "writablePaths": ["/tmp", "/var/cache/nginx"]}
    document = review("dev", {"aks-networking:kubernetes.apps[4]": app,
                              "aks-networking:kubernetes.ingresses[0].paths[2]": {"path": "/c", "app": "catalog",
                                                                                  "port": 80}})
    actions = {r["urn"].rsplit("::", 1)[-1]: r for r in document["resources"] if r["action"] != "same"}
    assert actions["k8s-deployment-development-catalog"]["action"] == "create"
    assert actions["k8s-service-development-catalog"]["action"] == "create"
    # A new path of the existing route (an Ingress, or a Gateway API HTTPRoute), not a new object.
    routes = [r for name, r in actions.items() if name.endswith("-development-webapp")]
    assert [r["action"] for r in routes] == ["update"]
    assert [(p["to"], p["after"]) for p in document["paths"]["allowed"]] == [("development/catalog", "allowed")]
    assert document["paths"]["denied"] == [] and document["exit"] == 0


def test_a_subnet_prefix_changed_under_its_node_pool_is_refused():
    # The provider updates a Subnet in place (forceNewMap: Subnet has none); Azure refuses a new
    # address range while the subnet holds resources (virtual-network-manage-subnet).
    document = review("dev", {"aks-networking:network.spoke.subnets.nodes": "192.168.1.0/25"})
    subnet = resource(document, "urn:pulumi:dev::aks-networking::aks-networking:network:VirtualNetwork$"
                                "azure-native:network:Subnet::spoke-subnet-nodes")
    assert (subnet["action"], subnet["inputs"]) == ("update", ["addressPrefix"])
    assert [c["kind"] for c in consequence(document, subnet["urn"], "addressPrefix")] == ["refused"]
    refused = finding(document, "azure-refuses:spoke-subnet-nodes:addressPrefix")
    assert refused["level"] == "mandatory" and "new subnet" in refused["message"]
    assert document["exit"] == 1


def test_an_unused_subnet_prefix_changes_in_place():
    """The other side of the boundary: the ilb subnet while no Service takes an address there (the role
    assignment that names it holds no address)."""
    base = variant(load("dev"), {"aks-networking:kubernetes.apps[3].serviceType": "ClusterIP",
                                 "aks-networking:kubernetes.apps[3].staticIp": DELETE,
                                 "aks-networking:kubernetes.flows[3]": DELETE})
    document = review("dev", {"aks-networking:network.spoke.subnets.ilb": "192.168.3.0/24"}, base=base)
    subnet_urn = ("urn:pulumi:dev::aks-networking::aks-networking:network:VirtualNetwork$"
                  "azure-native:network:Subnet::spoke-subnet-ilb")
    assert (resource(document, subnet_urn)["action"], resource(document, subnet_urn)["inputs"]) == \
        ("update", ["addressPrefix"])
    assert consequence(document, subnet_urn, "addressPrefix") == []
    assert not [f for f in document["findings"] if f["level"] == "mandatory"]


def test_an_internal_load_balancers_subnet_prefix_changed_is_refused():
    """The ilb subnet holds the internal-api Service's frontend (its static address moves with it)."""
    document = review("dev", {"aks-networking:network.spoke.subnets.ilb": "192.168.3.0/24",
                              "aks-networking:kubernetes.apps[3].staticIp": "192.168.3.10"})
    assert finding(document, "azure-refuses:spoke-subnet-ilb:addressPrefix")["level"] == "mandatory"


def test_firewall_standard_to_premium_is_an_in_place_change_sku():
    # premium-migrate / change SKU: Standard to Premium in place, no downtime, with a Premium policy.
    base = variant(load("prod"), {"aks-networking:egress.firewall.sku": "Standard"})
    document = review("prod", {"aks-networking:egress.firewall.sku": "Premium"}, base=base)
    firewall_urn = ("urn:pulumi:prod::aks-networking::aks-networking:egress:EgressFirewall$"
                    "azure-native:network:AzureFirewall::firewall-firewall")
    firewall = resource(document, firewall_urn)
    assert (firewall["action"], firewall["inputs"]) == ("update", ["sku.tier"])
    assert [c["kind"] for c in consequence(document, firewall_urn, "sku.tier")] == ["in-place"]
    assert not [f for f in document["findings"] if f["level"] == "mandatory"]
    assert document["exit"] == 0


def test_a_flow_from_the_internet_to_an_internal_app_is_denied_and_refused():
    # An internal load balancer has no public frontend: the internet cannot reach it.
    flow = {"name": "internet-to-internal-api", "from": {"cidr": "0.0.0.0/0"},
            "to": {"app": "internal-api", "namespace": "development"}, "ports": ["TCP/80"]}
    document = review("dev", {"aks-networking:kubernetes.flows[4]": flow})
    denied = document["paths"]["denied"]
    assert [(d["flow"], d["to"], d["decidedBy"]["layer"]) for d in denied] == \
        [("internet-to-internal-api", "development/internal-api", "loadBalancer")]
    assert finding(document, "flow-denied:internet-to-internal-api")["level"] == "mandatory"
    assert document["exit"] == 1


def test_a_denied_flow_the_program_itself_refuses_stops_the_review_with_its_line():
    """prod holds declared paths at the mandatory level: the program refuses such a head, and so does
    the review, naming the stack key and the layer that denies it."""
    from tools.review import ReviewRefused
    flow = {"name": "internet-to-cache", "from": {"cidr": "0.0.0.0/0"}, "to": {"app": "cache", "namespace": "shop"},
            "ports": ["TCP/6379"]}
    with pytest.raises(ReviewRefused) as refused:
        run_side("prod", "head.yaml", variant(load("prod"), {"aks-networking:kubernetes.flows[3]": flow}))
    assert str(refused.value).startswith("head.yaml: aks-networking:kubernetes.flows[3]: flow internet-to-cache")
    assert "denied by firewall" in str(refused.value)


def test_a_declared_flow_removed_becomes_denied_unless_accepted():
    # Default deny (the stack's policies): without its allow policies, backend -> store is dropped.
    changes = {"aks-networking:kubernetes.flows[1]": DELETE}
    document = review("dev", changes)
    assert [(d["from"], d["to"], d["after"]) for d in document["paths"]["denied"]] == \
        [("development/backend", "development/store", "denied")]
    assert finding(document, "flow-denied:backend-to-store")["level"] == "mandatory"
    assert document["exit"] == 1
    accepted = review("dev", changes, allowed=("flow-denied:backend-to-store",))
    assert finding(accepted, "flow-denied:backend-to-store")["accepted"] is True
    assert accepted["exit"] == 0


def test_a_node_pools_zones_are_sent_in_place_and_refused():
    # availabilityZones carries no create-only marker: the provider updates the AgentPool in place;
    # a pool's zones are fixed at creation (resize-node-pool).
    document = review("prod", {f"{CLUSTER}.nodePools[1].zones": [1, 2]})
    pool = resource(document, POOL_URN)
    assert pool["action"] == "update" and pool["inputs"] == ["availabilityZones[2]"]
    assert [c["kind"] for c in consequence(document, POOL_URN, "availabilityZones")] == ["refused"]
    assert finding(document, "azure-refuses:cluster-pool-user:availabilityZones")["level"] == "mandatory"
    assert document["exit"] == 1


def test_a_standalone_pools_vm_size_replaces_it_under_the_same_name():
    # forceNewMap: AgentPool vmSize; the pool keeps agentPoolName "user", so create-before-delete collides.
    document = review("prod", {f"{CLUSTER}.nodePools[1].vmSize": "Standard_D16ds_v5"})
    pool = resource(document, POOL_URN)
    assert (pool["action"], pool["forcedBy"]) == ("replace", ["vmSize"])
    assert [c["kind"] for c in consequence(document, POOL_URN, "vmSize")] == ["recreate"]
    collides = finding(document, "replace-collides:cluster-pool-user")
    assert collides["level"] == "mandatory" and "drain" in collides["message"]


def test_an_inline_pools_vm_size_is_sent_in_place_and_refused():
    # agentPoolProfiles[].vmSize is not in the ManagedCluster's forceNewMap: the provider updates the cluster.
    document = review("dev", {f"{CLUSTER}.nodePools[0].vmSize": "Standard_D8ds_v5"})
    cluster = resource(document, MC_URN.format(stack="dev"))
    assert (cluster["action"], cluster["inputs"]) == ("update", ["agentPoolProfiles[0].vmSize"])
    assert finding(document, "azure-refuses:cluster-aks:agentPoolProfiles[0].vmSize")["level"] == "mandatory"


def test_a_protected_cluster_replaced_is_refused_with_the_safe_way():
    document = review("prod", {f"{CLUSTER}.serviceCidr": "172.17.0.0/16", f"{CLUSTER}.dnsServiceIp": "172.17.0.10"})
    cluster = resource(document, MC_URN.format(stack="prod"))
    assert cluster["action"] == "replace"
    protected = finding(document, "protected:cluster-aks")
    assert protected["level"] == "mandatory" and "new cluster" in protected["message"]
    assert document["exit"] == 1


def test_protect_turned_on_in_the_same_change_that_replaces_the_cluster_is_refused():
    """Protection asked for in the change itself counts too: the change means the cluster to stay."""
    document = review("dev", {"aks-networking:environment.protect": True, f"{CLUSTER}.dnsServiceIp": "10.0.0.53"})
    assert resource(document, MC_URN.format(stack="dev"))["action"] == "replace"
    assert finding(document, "protected:cluster-aks")["level"] == "mandatory"


def test_accepting_every_mandatory_finding_exits_zero_and_shows_them_accepted():
    changes = {f"{CLUSTER}.nodePools[0].vmSize": "Standard_D8ds_v5"}
    document = review("dev", changes, allowed=("azure-refuses:cluster-aks:agentPoolProfiles[0].vmSize",))
    assert document["exit"] == 0
    assert all(f.get("accepted") for f in document["findings"] if f["level"] == "mandatory")


def test_an_unchanged_stack_reviews_clean():
    document = review("dev", {})
    assert {r["action"] for r in document["resources"]} == {"same"}
    assert document["findings"] == [] and document["exit"] == 0


def test_cli_usage_errors_exit_two(capsys):
    from tools.review import main
    assert main(["dev", "--base", "no-such-file.yaml"]) == 2
    assert "no-such-file.yaml" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["dev", "--base", "x", "--json", "--markdown"])
    assert exited.value.code == 2


def test_cli_reviews_a_git_ref_against_the_working_tree(capsys):
    from tools.review import main
    assert main(["dev", "--base", "HEAD:Pulumi.dev.yaml", "--head", "Pulumi.dev.yaml", "--json"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    document = json.loads(out.out)
    assert set(document) >= {"stack", "resources", "consequences", "paths", "findings"}
    assert document["paths"] == {"denied": [], "allowed": []}
    assert {r["action"] for r in document["resources"]} == {"same"}


def test_markdown_names_the_refusal_and_each_finding():
    from aksnet.review.report import render_markdown
    changes = {f"{CLUSTER}.nodePools[0].vmSize": "Standard_D8ds_v5"}
    before = load("dev")
    result = review_sides("dev", side("dev", before), side("dev", variant(before, changes)))
    text = "\n".join(render_markdown(result))
    assert text.startswith("### Change review: stack `dev` (❌ refused)")
    assert "`azure-refuses:cluster-aks:agentPoolProfiles[0].vmSize`" in text


# Changes of the same kinds that issue 28 does not list.

def test_a_peered_vnets_new_range_needs_a_peering_sync():
    # update-virtual-network-peering-address-space: the peering is synced on both sides after the change.
    document = review("prod", {"aks-networking:network.spoke.addressSpace": ["10.240.0.0/16", "10.241.0.0/16"]})
    vnet_urn = ("urn:pulumi:prod::aks-networking::aks-networking:network:VirtualNetwork$"
                "azure-native:network:VirtualNetwork::spoke-vnet")
    assert resource(document, vnet_urn)["action"] == "update"  # the protected VNet is not replaced
    assert [c["kind"] for c in consequence(document, vnet_urn, "addressSpace.addressPrefixes")] == ["peering"]
    assert finding(document, "peering-sync:spoke-vnet")["level"] == "advisory"
    assert {"role": "spoke VNet", "change": "added", "before": None, "after": "10.241.0.0/16"}.items() <= \
        next(r for r in document["network"]["addressPlan"] if r["role"] == "spoke VNet").items()
    assert document["exit"] == 0


def test_a_new_firewall_address_is_a_new_egress_address():
    document = review("prod", {"aks-networking:egress.firewall.publicIpCount": 4})
    pip = next(r for r in document["resources"] if r["urn"].endswith("::firewall-pip-4"))
    assert pip["action"] == "create"
    assert finding(document, "new-egress:firewall-pip-4")["level"] == "advisory"
    assert document["exit"] == 0


def test_a_private_api_server_made_public_without_vnet_integration_is_refused():
    # private-clusters: without API Server VNet Integration a cluster's API server access is set at creation.
    document = review("prod", {f"{CLUSTER}.private": False, f"{CLUSTER}.privateDnsZone": DELETE})
    cluster = resource(document, MC_URN.format(stack="prod"))
    assert cluster["action"] == "update" and "apiServerAccessProfile.enablePrivateCluster" in cluster["inputs"]
    assert finding(document, "azure-refuses:cluster-aks:apiServerAccessProfile.enablePrivateCluster")["level"] == \
        "mandatory"
    # The zone of the private API goes with it, and it is protected.
    assert finding(document, "protected:api-dns-zone")["level"] == "mandatory"
    assert document["network"]["dnsLinks"]["removed"]
