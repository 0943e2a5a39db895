"""Diagrams from the mocked run: what they show, and that the committed ones match the stacks."""

import filecmp
import os

import pytest

from tools import diagram, preview, readme_diagrams
from tools.mock_engine import PROJECT_DIR

COMMITTED = os.path.join(PROJECT_DIR, "docs", "diagrams")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    directory = tmp_path_factory.mktemp("diagrams")
    for stack in ("dev", "prod"):
        assert preview.main([stack, "--diagram", str(directory)]) == 0
    return directory


def text(directory, name):
    return open(os.path.join(directory, name), encoding="utf-8").read()


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_topology_names_every_vnet_subnet_and_peering(stack, drawn, request):
    result = request.getfixturevalue(stack)
    topology = text(drawn, f"{stack}-topology.mmd")
    for vnet in result.of_type("azure-native:network:VirtualNetwork"):
        assert vnet.inputs["virtualNetworkName"] in topology
        for prefix in vnet.inputs["addressSpace"]["addressPrefixes"]:
            assert prefix in topology
    for subnet in result.of_type("azure-native:network:Subnet"):
        assert f"{subnet.inputs['subnetName']} {subnet.inputs['addressPrefix']}" in topology
    peerings = result.of_type("azure-native:network:VirtualNetworkPeering")
    assert (topology.count('|"peering"|') == 1) == bool(peerings)


def test_prod_topology_shows_the_default_route_to_the_firewall(drawn):
    topology = text(drawn, "prod-topology.mmd")
    assert 'vnet_prod_spoke_snet_nodes ==>|"0.0.0.0/0 via rt-prod-aks to 10.200.0.4"| vnet_prod_hub_AzureFirewallSubnet' in topology
    assert "Azure Firewall 10.200.0.4" in topology and "private DNS privatelink.westeurope.azmk8s.io" in topology


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_topology_draws_each_private_zone_link_once(stack, drawn, request):
    """A virtual network link joins one private DNS zone to one VNet
    (https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links): one dashed edge each."""
    result = request.getfixturevalue(stack)
    vnets = {v.outputs.get("id") or v.inputs.get("id"): v.inputs["virtualNetworkName"]
             for v in result.of_type("azure-native:network:VirtualNetwork")}
    links = result.of_type("azure-native:privatedns:VirtualNetworkLink")
    expected = sorted(f'zone_{diagram.slug(link.inputs["privateZoneName"])} -.->|"link"| '
                      f'vnet_{diagram.slug(vnets[link.inputs["virtualNetwork"]["id"]])}' for link in links)
    topology = text(drawn, f"{stack}-topology.mmd")
    assert sorted(line.strip() for line in topology.splitlines() if '|"link"|' in line) == expected
    assert text(drawn, f"{stack}-topology.dot").count('label="link"') == len(links)
    if stack == "prod":  # the API server's, the registry's and the Key Vault's zones, each linked to hub and spoke
        assert len(links) == 3 * 2


def test_east_west_has_an_arrow_per_allowed_flow_with_its_ports(drawn):
    east_west = text(drawn, "dev-east-west.mmd")
    assert 'app_development_frontend -->|"TCP/8080"| app_development_backend' in east_west
    assert 'app_development_backend -->|"TCP/6379"| app_development_store' in east_west
    assert 'app_envoy_gateway_system_ingress_controller -->|"TCP/8080"| app_development_backend' in east_west
    assert "app_development_frontend -->" in east_west and "app_development_store -->|\"TCP/6379\"|" not in east_west


@pytest.mark.golden
@pytest.mark.parametrize("name", ["dev-topology", "dev-east-west", "prod-topology", "prod-east-west"])
def test_committed_diagrams_match_the_stacks(name, drawn):
    for extension in (".mmd", ".dot"):
        assert filecmp.cmp(os.path.join(drawn, name + extension), os.path.join(COMMITTED, name + extension),
                           shallow=False), f"docs/diagrams/{name}{extension} is stale: run make diagrams"


@pytest.mark.golden
def test_readme_embeds_the_committed_diagrams():
    assert readme_diagrams.main(["--check"]) == 0


def test_without_graphviz_the_preview_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(diagram, "graphviz_available", lambda: False)
    assert preview.main(["dev", "--diagram", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "dot program is not installed" in out and not any(p.suffix == ".svg" for p in tmp_path.iterdir())


def test_with_graphviz_an_svg_is_rendered(tmp_path):
    if not diagram.graphviz_available():
        pytest.skip("Graphviz is not installed here")
    assert preview.main(["prod", "--diagram", str(tmp_path)]) == 0
    import html
    svg = html.unescape((tmp_path / "prod-topology.svg").read_text())
    assert svg.lstrip().startswith("<?xml") and "vnet-prod-spoke" in svg
