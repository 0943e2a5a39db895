"""The replacement table and the provider's diff rules, as pulumi-azure-native 3.29.0 implements them.

Expected outcomes are the provider's own, read from its sources: provider/pkg/provider/diff.go
(calculateDetailedDiff), provider/pkg/gen/properties.go (forceNew) and provider/pkg/gen/replacement.go
(forceNewMap after PR #4771); the table's names are checked against the installed SDK's input types.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from aksnet.review.provider_rules import PROVIDER_VERSION, TABLE, path_parameters
from aksnet.review.resource_diff import input_changes, resource_changes
from tests.sdk_names import known_names
from tools.mock_engine import ARM_PATHS

ROOT = Path(__file__).resolve().parent.parent
MC = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"


def test_the_table_is_for_the_provider_version_of_the_lock():
    pinned = re.search(r"^pulumi-azure-native==(\S+)$", (ROOT / "requirements.lock").read_text(), re.M)
    assert pinned is not None and pinned.group(1) == PROVIDER_VERSION


def test_every_row_cites_its_source_and_the_date_check_watches_it():
    from tools.check_dates import dated_sources
    watched = {(c.source, c.on) for path, c in dated_sources() if path == "aksnet/review/provider_rules.py"}
    for row in TABLE:
        assert row.source, row
        assert (row.source, datetime.date.fromisoformat(row.checked)) in watched, row


@pytest.mark.parametrize("row", [r for r in TABLE if r.type.startswith("azure-native:")],
                         ids=lambda r: f"{r.type.split(':')[-1]}.{r.path}")
def test_every_property_the_table_names_exists_in_the_sdk(row):
    _, module, resource = row.type.split(":")
    known = known_names(module, resource)
    for step in re.split(r"\.|\[\]\.?", row.path):
        if step:
            assert step in known, f"{row.type}: {row.path}: the SDK has no input named {step}"


@pytest.mark.parametrize("typ", sorted(ARM_PATHS))
def test_every_azure_name_of_a_declared_type_is_a_path_parameter(typ):
    """Each name in a type's ARM id (the mock engine's table of what the program declares) replaces."""
    names = set(re.findall(r"\{(\w+)\}", ARM_PATHS[typ])) | {"resourceGroupName"}
    assert names <= set(path_parameters(typ)), typ


def kinds(changes):
    return {c.path: (c.kind, c.replaces) for c in changes}


def test_a_path_parameter_replaces():
    assert kinds(input_changes(POOL, {"agentPoolName": "user"}, {"agentPoolName": "apps"})) == \
        {"agentPoolName": ("update", True)}


def test_force_new_one_level_down_replaces_and_its_siblings_do_not():
    old = {"networkProfile": {"podCidr": "10.244.0.0/16", "loadBalancerSku": "standard"}}
    new = {"networkProfile": {"podCidr": "10.245.0.0/16", "loadBalancerSku": "basic"}}
    assert kinds(input_changes(MC, old, new)) == {"networkProfile.podCidr": ("update", True),
                                                   "networkProfile.loadBalancerSku": ("update", False)}


def test_force_new_is_not_looked_for_two_levels_down():
    """nodePublicIPTags is force-new on the pool type, but on the cluster it sits at
    agentPoolProfiles[].networkProfile.nodePublicIPTags, deeper than diff.go looks."""
    old = {"agentPoolProfiles": [{"networkProfile": {"nodePublicIPTags": [{"ipTagType": "a", "tag": "x"}]}}]}
    new = {"agentPoolProfiles": [{"networkProfile": {"nodePublicIPTags": [{"ipTagType": "a", "tag": "y"}]}}]}
    assert kinds(input_changes(MC, old, new)) == \
        {"agentPoolProfiles[0].networkProfile.nodePublicIPTags[0].tag": ("update", False)}
    assert kinds(input_changes(POOL, old["agentPoolProfiles"][0], new["agentPoolProfiles"][0])) == \
        {"networkProfile.nodePublicIPTags[0].tag": ("update", False)}


def test_an_array_element_added_or_removed_never_replaces():
    old = {"agentPoolProfiles": [{"name": "system", "vmSize": "a"}]}
    new = {"agentPoolProfiles": [{"name": "system", "vmSize": "a"}, {"name": "user", "vmSize": "b"}]}
    assert kinds(input_changes(MC, old, new)) == {"agentPoolProfiles[1]": ("add", False)}
    assert kinds(input_changes(MC, new, old)) == {"agentPoolProfiles[1]": ("delete", False)}


def test_a_force_new_objects_changed_child_replaces_but_an_added_child_does_not():
    old = {"linuxProfile": {"adminUsername": "azureuser"}}
    new = {"linuxProfile": {"adminUsername": "ops", "ssh": {"publicKeys": []}}}
    assert kinds(input_changes(MC, old, new)) == {"linuxProfile.adminUsername": ("update", True),
                                                   "linuxProfile.ssh": ("add", False)}


def test_a_force_new_property_added_replaces():
    assert kinds(input_changes(MC, {"networkProfile": {}}, {"networkProfile": {"networkPluginMode": "overlay"}})) \
        == {"networkProfile.networkPluginMode": ("add", True)}


def test_location_ignores_case_and_spaces():
    assert input_changes(MC, {"location": "West Europe"}, {"location": "westeurope"}) == []
    assert kinds(input_changes(MC, {"location": "westeurope"}, {"location": "northeurope"})) == \
        {"location": ("update", True)}


def test_ignore_changes_keeps_the_old_value():
    old = {"agentPoolProfiles": [{"count": 3, "vmSize": "a"}]}
    new = {"agentPoolProfiles": [{"count": 5, "vmSize": "a"}]}
    assert input_changes(MC, old, new, ["agentPoolProfiles[0].count"]) == []


def test_a_renamed_urn_with_an_alias_is_the_same_resource():
    base = [{"urn": "urn:pulumi:s::p::t::old", "type": "azure-native:network:RouteTable", "name": "old",
             "inputs": {"routeTableName": "rt"}}]
    head = [{"urn": "urn:pulumi:s::p::t::new", "type": "azure-native:network:RouteTable", "name": "new",
             "inputs": {"routeTableName": "rt"}, "aliases": ['urn: "urn:pulumi:s::p::t::old"']}]
    changes = resource_changes(base, head)
    assert [(c.urn, c.action) for c in changes] == [("urn:pulumi:s::p::t::new", "same")]
    without_alias = resource_changes(base, [{**head[0], "aliases": []}])
    assert sorted(c.action for c in without_alias) == ["create", "delete"]


def test_a_rename_without_an_alias_is_refused_for_the_same_azure_name():
    from aksnet.review.network import NetworkDiff
    from aksnet.review.report import build_review
    base = [{"urn": "urn:pulumi:s::p::t::old", "type": "azure-native:network:RouteTable", "name": "old",
             "inputs": {"resourceGroupName": "rg", "routeTableName": "rt"}}]
    head = [{**base[0], "urn": "urn:pulumi:s::p::t::new", "name": "new"}]
    review = build_review("s", "a", "b", base, head, NetworkDiff())
    assert [(f.id, f.level) for f in review.findings] == [("alias-missing:new", "mandatory")]


def test_the_address_plan_tells_a_range_moved_from_a_range_added():
    from aksnet.review.network import address_plan_diff
    base = [{"role": "spoke VNet", "cidr": "10.240.0.0/16", "headroom": 1}, {"role": "nodes", "cidr": "10.0.0.0/24"}]
    head = [{"role": "spoke VNet", "cidr": "10.240.0.0/16", "headroom": 1},
            {"role": "spoke VNet", "cidr": "10.241.0.0/16", "headroom": 1},
            {"role": "nodes", "cidr": "10.0.1.0/24", "headroom": -3}]
    assert [(r["role"], r["change"], r["before"], r["after"]) for r in address_plan_diff(base, head)] == [
        ("nodes", "moved", "10.0.0.0/24", "10.0.1.0/24"), ("nodes", "short", None, "10.0.1.0/24"),
        ("spoke VNet", "added", None, "10.241.0.0/16")]


def test_a_base_flow_gone_from_the_head_is_walked_through_the_head():
    from aksnet.review.network import path_diff
    entry = {"flow": "a-to-b", "kind": "declared", "from": "ns/a", "to": "ns/b", "ports": ["TCP/80"],
             "verdict": "allowed", "decidedBy": None}
    still_allowed = path_diff([entry], [], lambda e: {**e, "verdict": "allowed"})
    assert still_allowed.denied == []
    denied = path_diff([entry], [], lambda e: {**e, "verdict": "denied"})
    assert [(d["flow"], d["before"], d["after"]) for d in denied.denied] == [("a-to-b", "allowed", "denied")]
    gone = path_diff([entry], [], lambda e: None)  # an end of the flow no longer exists
    assert gone.denied == []
