"""A spoke's NSG rules for flows from the other spokes of its landing zone. Pure, no Pulumi.

A spoke is peered to its hub only, so another spoke's addresses are not in its VirtualNetwork tag
(peering is not transitive: https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview),
and Azure's default `AllowVnetInBound` does not admit them: the hub's firewall forwards the packet
with its source unchanged (no SNAT to private destinations:
https://learn.microsoft.com/azure/firewall/snat-private-range), and the spoke's NSG must allow
that source by its range. So each flow declared from a range to an app behind an internal load
balancer gets an inbound rule on the load balancer's subnet, for the app's ports.
"""

from __future__ import annotations

from typing import Any

from aksnet.plan.security_rules import Rule

FIRST_PRIORITY = 300
"""After the rules of `aksnet.plan.security_rules` (100-299), before Azure's defaults (65000)."""


def cross_spoke_inbound(spec: Any) -> tuple[Rule, ...]:
    """The inbound rules of a spoke's `ilb` subnet for its flows from ranges; none for other roles."""
    if spec.landing_zone.role != "spoke" or "ilb" not in spec.network.spoke.subnets:
        return ()
    workloads = spec.kubernetes.workloads
    ilb = str(spec.network.spoke.subnets["ilb"])
    rules: list[Rule] = []
    for flow in workloads.flows:
        if flow.source.cidr is None or flow.source.fqdn is not None:
            continue
        for app in workloads.apps_selected_by(flow.destination):
            if app.service_type != "InternalLoadBalancer":
                continue
            by_protocol: dict[str, list[str]] = {}
            for port in app.ports:
                wanted = not flow.ports or any(
                    p.protocol == port.protocol and (p.name == port.name if p.name is not None else
                                                     p.port is None or p.port <= port.port <= (p.end_port or p.port))
                    for p in flow.ports)
                if wanted:
                    by_protocol.setdefault(port.protocol, []).append(str(port.port))
            destination = f"{app.static_ip}/32" if app.static_ip is not None else ilb
            for protocol, ports in sorted(by_protocol.items()):
                rules.append(Rule(f"AllowFlow-{flow.name}-{app.name}-{protocol.lower()}"[:80],
                                  FIRST_PRIORITY + len(rules), "Inbound", "Allow", protocol.capitalize(),
                                  str(flow.source.cidr), destination, tuple(ports)))
    return tuple(rules)
