"""The plan: every topology decision of a checked stack, frozen and JSON-serialisable."""

import dataclasses
import json

import pytest

from aksnet.pipeline import load_stack
from tests.stacks import load


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_plan_is_frozen_and_serialises_to_json(stack):
    loaded = load_stack(load(stack), stack)
    document = json.loads(json.dumps(loaded.plan.as_json()))
    assert document["address_plan"] and document["manifests"] and document["network_profile"]
    for frozen in (loaded.plan, loaded.spec, loaded.spec.cluster, loaded.checked, loaded.plan.address_plan[0]):
        with pytest.raises(dataclasses.FrozenInstanceError):
            frozen.__setattr__(dataclasses.fields(frozen)[0].name, None)


def test_prod_plan_decisions():
    plan = load_stack(load("prod"), "prod").plan
    assert plan.resource_groups == ("hub", "spoke") and plan.edge == "hub"
    assert plan.route_table and plan.route_table_subnets == ("nodes",) and plan.default_route_next_hop == "firewall"
    assert plan.api_server_zone == "privatelink.westeurope.azmk8s.io"
    assert plan.firewall_sources == ("10.240.0.0/22",)
    assert plan.subnet_names["nodes"] == "snet-nodes" and plan.subnet_names["AzureFirewallSubnet"] == "AzureFirewallSubnet"
    assert plan.ingress_controller is not None and str(plan.ingress_controller.cidr) == "10.240.4.0/24"


def test_dev_plan_decisions():
    plan = load_stack(load("dev"), "dev").plan
    assert plan.resource_groups == ("spoke",) and plan.edge == "spoke"
    assert plan.route_table and plan.route_table_subnets == ("nodes",) and plan.default_route_next_hop is None
    assert plan.api_server_zone is None and plan.nat_gateway_subnets == ()
