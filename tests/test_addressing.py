"""The address plan: every CIDR rule, the capacity sums and the table."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aksnet.config.stack import load_spec
from aksnet.plan.addressing import plan_addresses, smallest_prefix_for, subnet_usable, surge_nodes
from tests.stacks import load, variant


def plan_of(config, stack="prod"):
    return plan_addresses(load_spec(config, stack))


def problems(config, stack="prod"):
    return [(p.path, p.message) for p in plan_of(config, stack).problems]


def one_problem_at(config, key, stack="prod"):
    found = [m for path, m in problems(config, stack) if path == key]
    assert found, problems(config, stack)
    return found[0]


def flat_cni(nodes, surge, max_pods, node_subnet):
    return variant(load("prod"), {
        "aks-networking:cluster.networkPluginMode": None,
        "aks-networking:cluster.networkDataplane": "azure",
        "aks-networking:cluster.networkPolicy": "calico",
        "aks-networking:cluster.podCidr": None,
        "aks-networking:cluster.maxSurge": str(surge),
        "aks-networking:cluster.nodePools": [{"name": "system", "mode": "System", "count": nodes,
                                               "maxPods": max_pods}],
        "aks-networking:network.spoke.subnets.nodes": node_subnet,
    })


def test_committed_stacks_have_no_address_problem():
    for stack in ("dev", "prod"):
        assert plan_of(load(stack), stack).problems == []


def test_documentation_example_needs_1581_addresses_and_a_slash_21():
    # 50 nodes, 1 surge, 30 max pods: 51 + 51 * 30 = 1,581 addresses (AKS IP planning page).
    config = flat_cni(50, 1, 30, "10.240.0.0/22")
    message = one_problem_at(config, "aks-networking:network.spoke.subnets.nodes")
    assert "1,581 are needed" in message and "use a /21 or larger" in message
    assert plan_of(flat_cni(50, 1, 30, "10.240.8.0/21")).problems == []


def test_cni_subnet_too_small_names_required_size():
    message = one_problem_at(flat_cni(10, 1, 30, "10.240.0.0/24"), "aks-networking:network.spoke.subnets.nodes")
    assert "251 usable addresses" in message and "341 are needed" in message and "/23" in message


def test_capacity_row_shows_needed_and_headroom():
    rows = {r.cidr: r for r in plan_of(flat_cni(50, 1, 30, "10.240.8.0/21")).rows}
    row = rows["10.240.8.0/21"]
    assert (row.size, row.usable, row.needed, row.headroom) == (2048, 2043, 1581, 462)


def test_pod_subnet_counts_pods_there_and_nodes_in_the_node_subnet():
    config = variant(flat_cni(20, 2, 50, "10.240.0.0/24"), {"aks-networking:network.spoke.subnets.pods": "10.240.8.0/22"})
    rows = {r.cidr: r for r in plan_of(config).rows}
    assert rows["10.240.0.0/24"].needed == 22
    assert rows["10.240.8.0/22"].needed == 22 * 50


@pytest.mark.parametrize("path,value,key,fragment", [
    ("aks-networking:cluster.serviceCidr", "10.240.0.0/16", "aks-networking:cluster.serviceCidr", "outside every routed range"),
    ("aks-networking:cluster.serviceCidr", "10.200.0.0/16", "aks-networking:cluster.serviceCidr", "hub VNet"),
    ("aks-networking:cluster.serviceCidr", "172.0.0.0/12", "aks-networking:cluster.serviceCidr", "smaller than /12"),
    ("aks-networking:cluster.serviceCidr", "192.168.128.0/17", "aks-networking:cluster.podCidr", "service CIDR"),
    ("aks-networking:cluster.dnsServiceIp", "172.16.0.1", "aks-networking:cluster.dnsServiceIp", "first address"),
    ("aks-networking:cluster.dnsServiceIp", "172.16.0.0", "aks-networking:cluster.dnsServiceIp", "network address"),
    ("aks-networking:cluster.dnsServiceIp", "10.0.0.10", "aks-networking:cluster.dnsServiceIp", "outside the service CIDR"),
    ("aks-networking:network.hub.subnets.AzureFirewallSubnet", "10.200.0.0/27", "aks-networking:network.hub.subnets.AzureFirewallSubnet", "/26 or larger"),
    ("aks-networking:network.hub.subnets.AzureBastionSubnet", "10.200.0.64/27", "aks-networking:network.hub.subnets.AzureBastionSubnet", "/26 or larger"),
    ("aks-networking:network.hub.addressSpace", ["10.240.0.0/24"], "aks-networking:network.spoke.addressSpace[0]", "overlaps"),
    ("aks-networking:network.spoke.subnets.ilb", "10.240.0.0/28", "aks-networking:network.spoke.subnets.ilb", "must not overlap"),
    ("aks-networking:network.spoke.subnets.ilb", "10.241.0.0/28", "aks-networking:network.spoke.subnets.ilb", "outside the spoke VNet"),
    ("aks-networking:network.spoke.subnets.apiserver", "10.240.5.16/29", "aks-networking:network.spoke.subnets.apiserver", "/28 or larger"),
    ("aks-networking:network.spoke.subnets.ilb", "10.240.5.0/30", "aks-networking:network.spoke.subnets.ilb", "smaller than /29"),
    ("aks-networking:network.spoke.addressSpace", ["172.31.0.0/16"], "aks-networking:network.spoke.addressSpace[0]", "AKS reserves"),
    # Ranges a VNet may not hold: multicast, broadcast, loopback, link-local, the platform's 168.63.129.16
    # (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets)
    ("aks-networking:network.hub.addressSpace", ["169.254.0.0/24"], "aks-networking:network.hub.addressSpace[0]", "does not allow"),
    ("aks-networking:network.hub.addressSpace", ["224.0.0.0/24"], "aks-networking:network.hub.addressSpace[0]", "does not allow"),
    ("aks-networking:network.hub.addressSpace", ["255.255.255.255/32"], "aks-networking:network.hub.addressSpace[0]", "does not allow"),
    ("aks-networking:network.hub.addressSpace", ["127.0.0.0/24"], "aks-networking:network.hub.addressSpace[0]", "does not allow"),
    ("aks-networking:network.hub.addressSpace", ["168.63.129.0/24"], "aks-networking:network.hub.addressSpace[0]", "does not allow"),
    ("aks-networking:cluster.podCidr", "10.240.0.0/16", "aks-networking:cluster.podCidr", "must not overlap anything routed"),
    ("aks-networking:cluster.podCidr", "52.0.0.0/16", "aks-networking:cluster.podCidr", "not a private range"),
    ("aks-networking:cluster.podCidr", "192.168.0.0/22", "aks-networking:cluster.podCidr", "need one each"),
    ("aks-networking:ingress.appGateway.privateIp", "10.240.5.4", "aks-networking:ingress.appGateway.privateIp", "not a usable address of the appgw subnet"),
    ("aks-networking:ingress.appGateway.privateIp", "10.240.4.2", "aks-networking:ingress.appGateway.privateIp", "not a usable address"),
])
def test_address_rule_names_the_key(path, value, key, fragment):
    message = one_problem_at(variant(load("prod"), {path: value}), key)
    assert fragment in message, message


@pytest.mark.parametrize("changes,key,fragment", [
    ({"aks-networking:network.onPremises": ["10.240.128.0/17"]}, "aks-networking:network.spoke.addressSpace[0]", "on-premises"),
    ({"aks-networking:network.onPremises": ["172.16.0.0/12"]}, "aks-networking:cluster.serviceCidr", "on-premises"),
    ({"aks-networking:network.onPremises": ["192.168.0.0/20"]}, "aks-networking:cluster.podCidr", "on-premises"),
])
def test_on_premises_ranges_overlap_nothing_of_ours(changes, key, fragment):
    assert fragment in one_problem_at(variant(load("prod"), changes), key)


def test_disjoint_on_premises_ranges_are_accepted():
    assert plan_of(variant(load("prod"), {"aks-networking:network.onPremises": ["10.50.0.0/16"]})).problems == []


def test_kubenet_route_limit():
    config = variant(load("dev"), {"aks-networking:cluster.podCidr": "10.128.0.0/9",
                                   "aks-networking:cluster.nodePools[0].count": 400})
    message = one_problem_at(config, "aks-networking:cluster.nodePools", "dev")
    assert "at most 400 routes" in message and "440 nodes" in message


def test_kubenet_pod_cidr_gives_a_slash_24_per_node():
    config = variant(load("dev"), {"aks-networking:cluster.podCidr": "10.244.0.0/22",
                                   "aks-networking:cluster.nodePools[0].count": 5})
    message = one_problem_at(config, "aks-networking:cluster.podCidr", "dev")
    assert "4 node blocks" in message and "6 nodes" in message and "/21" in message


def test_kubenet_pod_cidr_that_holds_exactly_its_nodes_is_enough():
    """A /22 holds 4 blocks of /24; 3 nodes and one surge node fill it exactly."""
    config = variant(load("dev"), {"aks-networking:cluster.podCidr": "10.244.0.0/22",
                                   "aks-networking:cluster.nodePools[0].count": 3,
                                   "aks-networking:cluster.maxSurge": "1"})
    plan = plan_of(config, "dev")
    assert not [p for p in plan.problems if p.path == "aks-networking:cluster.podCidr"]


# https://learn.microsoft.com/azure/aks/upgrade-aks-cluster#customize-node-surge-upgrade: a percentage of the
# pool's nodes, rounded up; 100 % of a 1,000-node pool is 1,000 surge nodes, not one fewer.
@pytest.mark.parametrize("surge,nodes,expected", [("1", 50, 1), ("10%", 3, 1), ("33%", 5, 2), ("100%", 7, 7), ("3", 0, 3),
                                                  ("100%", 1000, 1000), ("50%", 5, 3)])
def test_surge_is_a_count_or_a_percentage_rounded_up(surge, nodes, expected):
    assert surge_nodes(surge, nodes) == expected


@given(st.integers(min_value=1, max_value=2 ** 24 - 5))
def test_smallest_prefix_is_the_tightest_fit(needed):
    prefix = smallest_prefix_for(needed)
    assert subnet_usable(ipaddress.ip_network(f"10.0.0.0/{prefix}")) >= needed
    if prefix < 29:
        assert subnet_usable(ipaddress.ip_network(f"10.0.0.0/{prefix + 1}")) < needed


@given(st.integers(min_value=0, max_value=2 ** 32 - 1), st.integers(min_value=9, max_value=29),
       st.integers(min_value=0, max_value=2 ** 32 - 1), st.integers(min_value=9, max_value=29))
def test_overlapping_subnets_are_always_reported(a, la, b, lb):
    first = ipaddress.ip_network(f"{ipaddress.ip_address(a)}/{la}", strict=False)
    second = ipaddress.ip_network(f"{ipaddress.ip_address(b)}/{lb}", strict=False)
    # The VNet holds both prefixes' /8s, so containment never hides the overlap rule.
    spaces = sorted({str(first.supernet(new_prefix=8)), str(second.supernet(new_prefix=8))})
    config = variant(load("dev"), {
        "aks-networking:network.spoke.addressSpace": spaces,
        "aks-networking:network.spoke.subnets": {"nodes": str(first), "ilb": str(second)},
    })
    reported = any(path == "aks-networking:network.spoke.subnets.ilb" and "must not overlap" in message
                   for path, message in problems(config, "dev"))
    assert reported == first.overlaps(second)


@pytest.mark.parametrize("address,usable", [("192.168.2.3", False), ("192.168.2.4", True), ("192.168.2.14", True),
                                            ("192.168.2.15", False)])
def test_a_static_address_must_be_one_azure_hands_out(address, usable):
    """Azure keeps the first four addresses and the last of the /28 192.168.2.0/28."""
    config = variant(load("dev"), {"aks-networking:network.spoke.subnets.ilb": "192.168.2.0/28",
                                   "aks-networking:kubernetes.apps[3].staticIp": address})
    problems = [p for p in plan_of(config, "dev").problems if p.path.endswith("apps[3].staticIp")]
    assert (problems == []) is usable



def nginx_with_internal_services(visibility, internal_services):
    """dev with the app routing add-on's NGINX and `internal_services` internal LoadBalancer apps, in a /29
    `ilb` subnet: 8 addresses less the 5 Azure keeps, 3 usable."""
    config = load("dev")
    apps = config["aks-networking:kubernetes"]["apps"]
    internal = {**apps[3], "staticIp": "192.168.2.4"}  # the first address Azure hands out in 192.168.2.0/29
    more = [{k: v for k, v in internal.items() if k != "staticIp"} | {"name": f"internal-{n}",
                                                                      "labels": {"app": f"internal-{n}"}}
            for n in range(internal_services - 1)]
    return variant(config, {"aks-networking:network.spoke.subnets.ilb": "192.168.2.0/29",
                            "aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": visibility}},
                            "aks-networking:kubernetes.apps": [*apps[:3], internal, *more]})


# Each internal LoadBalancer Service takes a private frontend address of the subnet its annotation names
# (https://learn.microsoft.com/azure/aks/internal-lb); the add-on's NGINX is such a Service when its
# NginxIngressController carries the internal annotation, a public one's frontend is a public IP
# (https://learn.microsoft.com/azure/aks/app-routing-nginx-configuration). Azure keeps 5 addresses of
# every subnet (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
@pytest.mark.parametrize("visibility,services,refused", [
    ("internal", 2, False),  # 2 Services + the controller: 3, the /29's 3 usable addresses
    ("internal", 3, True),   # one over
    ("public", 3, False),    # the public controller takes none of them: 3 at the limit
    ("public", 4, True),
])
def test_an_internal_nginx_takes_an_address_of_the_ilb_subnet_and_a_public_one_none(visibility, services, refused):
    found = [m for path, m in problems(nginx_with_internal_services(visibility, services), "dev")
             if path == "aks-networking:network.spoke.subnets.ilb"]
    assert bool(found) is refused, found
    if refused:
        assert "3 usable addresses but 4 are needed" in found[0]

def test_a_dnat_target_outside_every_vnet_is_refused():
    rule = {"name": "https", "port": 443, "translatedAddress": "172.31.255.4", "translatedPort": 443}
    config = variant(load("prod"), {"aks-networking:egress.firewall.dnatRules": [rule]})
    message = one_problem_at(config, "aks-networking:egress.firewall.dnatRules[0].translatedAddress")
    assert "not inside any VNet" in message
