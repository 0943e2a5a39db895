"""A path's verdict: the hops each layer adds, and which one decided. Pure, no Pulumi."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

LAYERS = ("networkPolicy", "nsg", "route", "peering", "firewall", "appGateway", "loadBalancer", "dns",
          "privateEndpoint", "ingressController")
"""The layers a hop names, in the order the model's overview (`aksnet.analysis.paths`) lists them."""



@dataclass(frozen=True)
class Hop:
    layer: str
    resource: str
    rule: str
    action: str
    """`allow`, `deny`, `forward`, `resolve` or `translate`."""


@dataclass(frozen=True)
class Path:
    hops: tuple[Hop, ...]

    @property
    def verdict(self) -> str:
        return "denied" if self.hops and self.hops[-1].action == "deny" else "allowed"

    @property
    def decided_by(self) -> Hop | None:
        """The denying hop, or the last hop that let the packet through."""
        deciding = [h for h in self.hops if h.action in ("allow", "deny")]
        return deciding[-1] if deciding else (self.hops[-1] if self.hops else None)

    def as_dict(self) -> dict[str, Any]:
        decided = self.decided_by
        return {"verdict": self.verdict, "hops": [dataclasses.asdict(h) for h in self.hops],
                "decidedBy": None if decided is None else
                {"layer": decided.layer, "resource": decided.resource, "rule": decided.rule}}


def stops(hops: list[Hop], hop: Hop | None) -> bool:
    """Add a layer's verdict to the path (a layer with nothing to say adds none); True when it denies."""
    if hop is None:
        return False
    hops.append(hop)
    return hop.action == "deny"
