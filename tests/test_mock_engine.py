"""The mock engine itself: what it answers, what it refuses, and that its shortcut changes nothing."""

import pytest

from tests.stacks import load
from tools.mock_engine import AzureMocks, UnknownInvoke, run_program


def test_skipping_eager_alias_urns_records_the_same_registrations():
    fast = run_program("dev", load("dev"))
    slow = run_program("dev", load("dev"), eager_aliases=True)
    assert fast.error is None and slow.error is None
    def seen(result):
        return sorted((r.urn, sorted(r.aliases), r.parent, sorted(r.dependencies), repr(r.inputs))
                      for r in result.records)
    assert seen(fast) == seen(slow)
    assert sum(len(r.aliases) for r in fast.records) > 100  # azure-native's type aliases still arrive


def test_unknown_invoke_fails_loudly():
    from pulumi.runtime.mocks import MockCallArgs
    with pytest.raises(UnknownInvoke, match="azure-native:network:getVirtualNetwork"):
        AzureMocks().call(MockCallArgs("azure-native:network:getVirtualNetwork", {}, ""))


def test_unknown_resource_type_fails_loudly():
    from pulumi_azure_native import network

    def program():
        network.DdosProtectionPlan("ddos", resource_group_name="rg", location="westeurope")
    result = run_program("t", {}, program=program)
    assert "no ARM path for azure-native:network:DdosProtectionPlan" in str(result.error)


def test_every_invoke_of_both_stacks_is_in_the_table(dev, prod):
    tokens = {token for result in (dev, prod) for token, _ in result.invokes}
    assert tokens == {"azure-native:authorization:getClientConfig",
                      "azure-native:containerservice:listManagedClusterUserCredentials"}
