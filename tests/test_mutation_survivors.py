"""Behaviour the mutation benchmark found untested (docs/mutation-testing.md): one test per survivor."""

import pytest

from aksnet.config.schema import show
from tests.stacks import load, variant


def test_a_long_value_is_quoted_in_sixty_characters_at_most():
    quoted = show("x" * 100)
    assert len(quoted) == 60 and quoted.startswith("'xxx") and quoted.endswith("...")
    assert show("x" * 58) == "'" + "x" * 58 + "'"  # 60 characters: shown whole


def test_each_public_address_of_the_firewall_is_used_by_one_ip_configuration(prod):
    """Azure Firewall takes several public addresses, one per IP configuration
    (https://learn.microsoft.com/azure/firewall/deploy-multi-public-ip-powershell); prod asks for three."""
    firewall = prod.one("azure-native:network:AzureFirewall").inputs
    used = [c["publicIPAddress"]["id"] for c in firewall["ipConfigurations"]]
    assert len(used) == len(set(used)) == 3
    assert "subnet" in firewall["ipConfigurations"][0]  # the first one holds the firewall's subnet


# An NSG rule admits one protocol (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules):
# a spoke's rule for a flow from another spoke admits what the flow declares and the app serves, and no other protocol.
@pytest.mark.parametrize("ports,admitted", [
    (["TCP/8080"], [("Tcp", ("8080",))]),
    (["UDP/8080"], []),           # payments serves TCP 8080 alone: nothing to admit
    ([], [("Tcp", ("8080",))]),    # no ports: every port the app serves
    (["TCP/8081"], []),
    (["TCP/8000-8080"], [("Tcp", ("8080",))]),
])
def test_a_cross_spoke_flow_is_admitted_on_its_protocol_and_ports_alone(ports, admitted):
    from aksnet.config.stack import load_spec
    from aksnet.plan.security_rules import cross_spoke_inbound

    config = variant(load("spoke-b"), {"aks-networking:kubernetes.flows[0].ports": ports})
    rules = cross_spoke_inbound(load_spec(config, "spoke-b"))
    assert [(r.protocol, r.ports) for r in rules] == admitted
    assert all(r.source == "10.110.0.0/22" and r.destination == "10.120.4.10/32" and r.direction == "Inbound"
               for r in rules)
