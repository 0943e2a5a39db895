"""Lifecycle safety: every URN of both stacks is recorded, and prod protects what matters."""

import pytest

from tools.urns import explain, recorded_urns

PROTECTED_IN_PROD = ("azure-native:network:VirtualNetwork", "azure-native:network:AzureFirewall",
                     "azure-native:network:ApplicationGateway", "azure-native:containerservice:ManagedCluster",
                     # partners allow-list the egress addresses; the zone holds the API server's record
                     "azure-native:resources:ResourceGroup", "azure-native:network:PublicIPAddress",
                     "azure-native:privatedns:PrivateZone", "azure-native:network:FirewallPolicy")


@pytest.mark.golden
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_urns_match_the_record(stack, request):
    result = request.getfixturevalue(stack)
    message = explain(stack, recorded_urns(stack), sorted(r.urn for r in result.records))
    assert message is None, message


def test_a_renamed_component_fails_with_its_explanation(prod):
    current = sorted(r.urn.replace("::spoke-vnet", "::spoke-network-vnet") for r in prod.records)
    message = explain("prod", recorded_urns("prod"), current)
    assert message is not None
    assert "- urn:pulumi:prod::aks-networking::aks-networking:network:VirtualNetwork$azure-native:network:VirtualNetwork::spoke-vnet" in message
    assert "deletes the resource and creates" in message and "python -m tools.urns --write" in message
    assert "aliases=[pulumi.Alias(" in message


def test_prod_protects_what_cannot_be_replaced_without_an_outage(prod, dev):
    for typ in PROTECTED_IN_PROD:
        records = prod.of_type(typ)
        assert records and all(r.protect for r in records), typ
    assert not any(r.protect for r in dev.records)
