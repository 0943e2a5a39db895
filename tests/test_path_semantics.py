"""The path model's Azure and Kubernetes semantics that the other tests left open (issue 27).

Each test pins one behaviour a user relies on, where a one-place mistake in the path model (a tag's
meaning, a port a frontend answers on, who a proxy's traffic comes from, a boundary) would pass every
other test. The expected outcomes come from the documentation cited beside each test, never from
running the model.
"""

from __future__ import annotations

import ipaddress

import pytest

from aksnet.analysis.paths import DEFAULT_NSG_RULES, AddressBook, Packet, nsg_decide
from tests.stacks import load, variant
from tests.test_paths import ADVISORY, tracer_of

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network


@pytest.fixture(scope="module")
def prod_tracer():
    return tracer_of(load("prod"))[0]


# NSG service tags --------------------------------------------------------------------------------
# https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags
#   Internet: the address space outside the virtual network that the public internet reaches.
# https://www.rfc-editor.org/rfc/rfc1918 (section 3): private addresses are not routed on the internet.
# https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules
#   AllowInternetOutBound (65001) admits the Internet tag; DenyAllOutBound (65500) takes the rest.

@pytest.mark.parametrize("destination", ["10.50.0.9", "172.16.5.5", "192.168.200.1"])
def test_a_private_address_outside_every_vnet_is_not_the_internet_tag(destination):
    book = AddressBook((NET("10.0.0.0/16"),))
    packet = Packet(IP("10.0.0.5"), IP(destination), "TCP", 443)
    assert nsg_decide((), "Outbound", packet, book).name == "DenyAllOutBound"
    public = Packet(IP("10.0.0.5"), IP("52.1.2.3"), "TCP", 443)
    assert nsg_decide((), "Outbound", public, book).name == "AllowInternetOutBound"
    assert {r.name for r in DEFAULT_NSG_RULES} >= {"AllowInternetOutBound", "DenyAllOutBound"}


# Private endpoints -------------------------------------------------------------------------------
# https://learn.microsoft.com/azure/aks/private-clusters: the nodes reach a private cluster's API
# server through its private endpoint; https://learn.microsoft.com/azure/aks/outbound-rules-control-egress
#   (required rules): the API server is reached on TCP 443. Nothing else answers behind the endpoint.

def test_the_private_api_server_answers_on_tcp_443_only(prod_tracer):
    t = prod_tracer
    assert t.trace(t.node(), t.apiserver(), "TCP", 443).verdict == "allowed"
    for protocol, port in (("TCP", 22), ("TCP", 80), ("UDP", 443)):
        path = t.trace(t.node(), t.apiserver(), protocol, port)
        assert path.verdict == "denied", (protocol, port)
        assert path.decided_by.layer == "privateEndpoint", path.as_dict()


# Ingress controllers are proxies ----------------------------------------------------------------
# https://kubernetes.github.io/ingress-nginx/user-guide/miscellaneous/#source-ip-address and
# https://learn.microsoft.com/azure/aks/app-routing: the application routing add-on's nginx runs as pods
# in app-routing-system and proxies each request, so the app's pods see the connection come from the
# controller's pods: their NetworkPolicy must admit the controller, not the client.

def test_through_nginx_the_apps_policy_sees_the_controller_pods_not_the_client():
    config = variant(load("dev"), {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "public"}}})
    t, _ = tracer_of(config, "dev", advisory=ADVISORY)
    path = t.trace(t.internet(), t.app_place("development/frontend"), "TCP", 80, via="ingress")
    assert path.verdict == "allowed", path.as_dict()
    policy = next(h for h in path.hops if h.layer == "networkPolicy")
    assert policy.resource.startswith("app-routing-system/"), policy


# Gateway transit ---------------------------------------------------------------------------------
# https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview#gateways-and-on-premises-connectivity
#   Transit needs both halves: "allow gateway transit" on the hub's peering and "use remote gateways" on
#   the spoke's. With only one, on-premises does not learn the spoke's ranges.

@pytest.mark.parametrize("transit, remote, verdict", [(True, False, "denied"), (False, True, "denied"),
                                                      (True, True, "allowed")])
def test_on_premises_reaches_the_spoke_only_with_both_halves_of_gateway_transit(monkeypatch, transit, remote, verdict):
    from aksnet.analysis.paths import tracer as tracer_module
    from aksnet.plan.routing import PeeringSettings
    monkeypatch.setattr(tracer_module, "PEERING", PeeringSettings(allow_gateway_transit=transit,
                                                                   use_remote_gateways=remote))
    t, _ = tracer_of(variant(load("prod"), {"aks-networking:network.onPremises": ["172.20.0.0/16"]}))
    path = t.trace(t.onprem(), t.node(), "TCP", 22)
    assert path.verdict == verdict, path.as_dict()
