"""The landing zone's hub reader, registry, contract and plan, pinned where one-place mistakes survived (issue 27).

A sweep of aksnet/config/hub.py, aksnet/plan/landing_zone.py, aksnet/plan/hub_contract.py and
aksnet/analysis/paths/joined.py changed one fact at a time (a section name, a default, a bound, a
guard, an element of a list, a name in a message); the rows below hold the ones no behavioural test
held. Each expected outcome comes from the Azure or Pulumi page cited beside it, never from running
our code. Pure readers and planners only: no program run under the mock engine.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aksnet.config.hub import load_hub_spec
from aksnet.config.problems import ConfigError
from aksnet.plan.landing_zone import hub_plan
from tools.stackfile import read_stack_file

NS = "aks-networking"
HUB_FILE = "hub/Pulumi.hub.yaml"

PRIVATE_CLUSTERS = "https://learn.microsoft.com/azure/aks/private-clusters"
REGIONS_LIST = "https://learn.microsoft.com/azure/reliability/regions-list"
HUB_SPOKE = "https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke"
RESOLVER = "https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions"


def _hub_config() -> dict[str, Any]:
    return copy.deepcopy(dict(read_stack_file(HUB_FILE).config))


def _hub_refusals(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(key path, message) of every problem the hub's stack file is refused for; [] when it loads."""
    try:
        load_hub_spec(config, "hub")
    except ConfigError as refused:
        return [(p.path, p.message) for p in refused.problems]
    return []


# The hub's stack file ------------------------------------------------------------------------------------

def test_a_hub_refuses_a_section_it_does_not_hold_and_names_each_one_it_does():
    # A hub is the shared network alone: its file holds environment, network, egress and landingZone; the
    # cluster belongs to a spoke's stack (HUB_SPOKE: the hub holds shared services, the spokes the workloads).
    config = _hub_config()
    config[f"{NS}:kubernetes"] = {}
    [(path, message)] = _hub_refusals(config)
    assert path == f"{NS}:kubernetes"
    for section in ("environment", "network", "egress", "landingZone"):
        assert section in message, HUB_SPOKE


@pytest.mark.parametrize("written", ["West Europe", "WestEurope", "westeurope"])
def test_a_hub_region_written_as_azure_displays_it_names_the_api_servers_zone_by_its_programmatic_name(written):
    # Azure lists a region by display name (West Europe) and programmatic name (westeurope) (REGIONS_LIST);
    # a private API server's zone is privatelink.<region>.azmk8s.io, by the programmatic name (PRIVATE_CLUSTERS),
    # and a DNS name holds no space.
    config = _hub_config()
    config["azure-native:location"] = written
    spec = load_hub_spec(config, "hub")
    assert spec.environment.location == "westeurope", REGIONS_LIST
    assert "privatelink.westeurope.azmk8s.io" in hub_plan(spec).zones, PRIVATE_CLUSTERS


def test_a_hub_without_its_vnet_is_refused_at_network_hub():
    # The hub VNet is what the spokes peer with and what holds AzureFirewallSubnet (HUB_SPOKE): a hub's
    # stack without it cannot deploy, and says where.
    config = _hub_config()
    del config[f"{NS}:network"]["hub"]
    refused = _hub_refusals(config)
    assert f"{NS}:network.hub" in [path for path, _ in refused]


def test_a_hub_that_does_not_ask_for_a_dns_resolver_needs_no_subnet_for_one():
    # The DNS Private Resolver is an optional resource of the hub (HUB_SPOKE); its inbound endpoint's subnet
    # is needed only where it is deployed (RESOLVER). A hub file silent about it deploys none.
    config = _hub_config()
    del config[f"{NS}:network"]["dnsResolver"]
    del config[f"{NS}:network"]["hub"]["subnets"]["dns"]
    spec = load_hub_spec(config, "hub")
    assert spec.dns_resolver is False and hub_plan(spec).dns_resolver_address is None


def test_a_hub_in_a_region_azure_does_not_have_is_refused_and_the_region_it_suggests_loads():
    # Azure deploys only to the regions it lists (REGIONS_LIST): a typo in the hub's region must fail before
    # `pulumi up`, as it does in a spoke's stack file, and the name the refusal offers must itself load.
    config = _hub_config()
    config["azure-native:location"] = "westeurpoe"
    [(path, message)] = _hub_refusals(config)
    assert path == "azure-native:location" and "'westeurpoe'" in message and "'westeurope'" in message
    config["azure-native:location"] = "westeurope"
    assert _hub_refusals(config) == []
