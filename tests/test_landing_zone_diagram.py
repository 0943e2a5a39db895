"""The landing zone drawn as one network (`python -m tools.preview --landing-zone FILE --diagram DIR`).

Hub and spoke: each spoke peers with the hub alone, spokes do not peer with each other, and traffic
between spokes passes the hub's firewall (docs/landing-zone.md; https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke).
"""

import os

from tools.preview import main


def test_the_landing_zone_overview_draws_each_spoke_through_the_hub(tmp_path, capsys):
    directory = tmp_path / "diagrams"
    assert main(["--landing-zone", "landing-zone.yaml", "--diagram", str(directory)]) == 0
    assert "Wrote" in capsys.readouterr().out
    assert {"landing-zone-overview.mmd", "landing-zone-overview.dot"} <= set(os.listdir(directory))
    mermaid = (directory / "landing-zone-overview.mmd").read_text()
    for stack in ("hub (hub)", "spoke-a (spoke)", "spoke-b (spoke)"):
        assert f'["{stack}"]' in mermaid, stack
    hub, firewall = "lz_hub_hub_vnet", "lz_hub_firewall_firewall"
    # Each spoke routes the default route and the other spoke's range to the hub firewall's private address
    # (docs/landing-zone.md: Azure's system route for 10.0.0.0/8 would otherwise drop spoke-to-spoke traffic).
    for spoke, other in (("spoke_a", "10.120.0.0/16"), ("spoke_b", "10.110.0.0/16")):
        vnet = f"lz_{spoke}_spoke_vnet"
        assert f'{vnet} <-.->|"peering"| {hub}' in mermaid  # both halves of the peering
        assert f'{vnet} ==>|"0.0.0.0/0, {other} via 10.100.0.4"| {firewall}' in mermaid
    assert "lz_spoke_a_spoke_vnet <-.->|\"peering\"| lz_spoke_b" not in mermaid  # no spoke-to-spoke peering
    # The committed cross-spoke flow: spoke-a's checkout calls spoke-b's payments through the hub's firewall.
    assert f'lz_spoke_a_cluster -->|"checkout-to-payments TCP/8080 allowed"| {firewall}' in mermaid
    assert f'{firewall} -->|"checkout-to-payments TCP/8080 allowed"| lz_spoke_b_cluster' in mermaid


def test_a_landing_zone_diagram_into_a_file_is_a_usage_error(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["--landing-zone", "landing-zone.yaml", "--diagram", str(target)]) == 2
    assert "--diagram" in capsys.readouterr().err
