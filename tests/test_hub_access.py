"""The custom role a spoke's deploy identity holds on the hub, declared by the hub (components/hub_access.py).

What a spoke writes on the hub's resources, and removes when it is destroyed (docs/landing-zone.md, What
each side owns): the hub's half of its peering, its links to the hub's zones, its rule collection group.
https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#permissions
https://learn.microsoft.com/azure/role-based-access-control/permissions/networking
"""

import os

import pytest

from tools.landing_zone import HUB_PROGRAM
from tools.mock_engine import PROJECT_DIR, run_program
from tools.stackfile import read_stack_file

ROLE = "azure-native:authorization:RoleDefinition"


@pytest.fixture(scope="module")
def hub():
    config = read_stack_file(os.path.join(PROJECT_DIR, "hub", "Pulumi.hub.yaml")).config
    result = run_program("hub", config, main=HUB_PROGRAM)
    assert result.error is None, result.error
    return result


def test_the_hub_declares_the_spokes_role_with_what_a_spoke_writes_and_removes_on_it(hub):
    [role] = [r for r in hub.records if r.type == ROLE]
    [permission] = role.inputs["permissions"]
    actions = set(permission["actions"])
    for kind in ("Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                 "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                 "Microsoft.Network/firewallPolicies/ruleCollectionGroups"):
        assert {f"{kind}/{verb}" for verb in ("read", "write", "delete")} <= actions, kind
    # The hub's half of a peering needs peer/action on the hub VNet; a group joins the policy.
    assert {"Microsoft.Network/virtualNetworks/peer/action", "Microsoft.Network/firewallPolicies/join/action"} <= actions
    # Never the hub's own resources: not the VNet, its subnets, the zones' records, the policy or the firewall.
    assert not {"Microsoft.Network/virtualNetworks/write", "Microsoft.Network/virtualNetworks/delete",
                "Microsoft.Network/virtualNetworks/subnets/write", "Microsoft.Network/firewallPolicies/write",
                "Microsoft.Network/azureFirewalls/write", "Microsoft.Network/privateDnsZones/write"} & actions
    assert not [a for a in actions if "*" in a]
    # Assignable only within the hub's resource group, where it is defined.
    assert role.inputs["assignableScopes"] == [role.inputs["scope"]]
    assert role.inputs["scope"].endswith("/resourceGroups/" + hub.exports["landingZoneHub"]["resourceGroupName"])


def test_the_role_keeps_its_id_from_run_to_run_and_the_hub_exports_it(hub):
    """A role definition's name is a GUID chosen by its creator: a new one each run would replace the role,
    and with it every assignment the network team made."""
    config = read_stack_file(os.path.join(PROJECT_DIR, "hub", "Pulumi.hub.yaml")).config
    again = run_program("hub", config, main=HUB_PROGRAM)
    ids = [next(r.inputs["roleDefinitionId"] for r in run.records if r.type == ROLE) for run in (hub, again)]
    assert ids[0] == ids[1] and len(ids[0]) == 36
    # ... and from release to release: the hub stack's role keeps the GUID its first deployment gave it
    assert ids[0] == "c97313f8-8d92-5bfe-8cc0-405fd6c900f4"
    assert hub.exports["spokeAccessRoleId"]
