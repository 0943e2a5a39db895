"""The program's side of the landing zone: the address registry, the hub's contract through a
StackReference, and the checked hub of `hub/__main__.py`.

The registry is a file of the repository (`landingZone.registry`, `landing-zone.yaml` by default),
read from the repository's root, which holds both programs (the root's and `hub/`).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any

import pulumi

from aksnet.config.hub import HubStackConfig, load_hub_spec
from aksnet.config.landing_zone import LandingZoneSpec
from aksnet.config.problems import ConfigError, Problem
from aksnet.plan.hub_contract import CONTRACT_OUTPUT, ContractError, HubContract, read_contract
from aksnet.plan.landing_zone import (
    HubPlan,
    Registry,
    RegistryError,
    SpokeAttachmentPlan,
    hub_plan,
    read_registry,
    registration_problems,
    spoke_attachment,
)
from program.stack_config import StackConfigError, running_config

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_registry(landing_zone: LandingZoneSpec, root: str = REPOSITORY) -> Registry:
    """The landing zone's registry file, read and checked; `pulumi.RunError` with its lines."""
    path = os.path.join(root, landing_zone.registry)
    try:
        stat = os.stat(path)
        return _registry(path, landing_zone.registry, stat.st_mtime_ns, stat.st_size)
    except OSError as error:
        raise pulumi.RunError(f"{landing_zone.registry}: cannot be read as the landing zone's registry: {error}") \
            from None
    except RegistryError as error:
        raise pulumi.RunError("\n".join(error.lines)) from None


@functools.lru_cache(maxsize=4)
def _registry(path: str, source: str, mtime_ns: int, size: int) -> Registry:
    """One file's registry, read once while it does not change (the offline preview runs many spokes)."""
    import yaml
    with open(path, encoding="utf-8") as handle:
        try:
            document = yaml.safe_load(handle)
        except yaml.YAMLError as error:
            raise RegistryError([f"{source}: cannot be read as the landing zone's registry: {error}"]) from None
    return read_registry(document, source)


def _refuse(problems: list[Problem], source: str) -> None:
    if problems:
        raise StackConfigError(ConfigError(problems), source)


@dataclass(frozen=True)
class LoadedHub:
    spec: HubStackConfig
    plan: HubPlan
    registry: Registry


def load_running_hub() -> LoadedHub:
    """Read, check and plan the running hub stack (`hub/__main__.py`)."""
    stack = pulumi.get_stack()
    source = f"Pulumi.{stack}.yaml"
    try:
        spec = load_hub_spec(running_config(), stack)
    except ConfigError as error:
        raise StackConfigError(error, source) from None
    registry = load_registry(spec.landing_zone)
    _refuse(registration_problems(registry, spec.landing_zone.name or stack, "hub",
                                  {"network.hub.addressSpace": spec.hub.address_space}), source)
    return LoadedHub(spec, hub_plan(spec), registry)


@dataclass(frozen=True)
class HubLink:
    """A spoke's view of its hub: the contract's fields as Outputs, and what the spoke attaches."""

    contract: pulumi.Output[HubContract]
    attachment: SpokeAttachmentPlan
    hub: str
    """The hub's stack, or `landingZone.hub` for a brownfield hub."""

    @property
    def firewall_private_ip(self) -> pulumi.Output[str]:
        return self.contract.apply(lambda c: c.firewall_private_ip)

    def zone(self, zone: str) -> HubZone:
        """One of the hub's private zones, for the spoke's private endpoints' zone groups."""
        return HubZone(self.contract.apply(lambda c: c.dns_zone_ids[zone]))


@dataclass(frozen=True)
class HubZone:
    zone_id: pulumi.Output[str]


def hub_of_spoke(loaded: Any) -> HubLink | None:
    """For a spoke (`landingZone.role: spoke`), its hub's contract and its attachment; None otherwise.

    A hub named by stack is read through `pulumi.StackReference` (the deploy identity needs only read
    access to the hub's stack); a brownfield hub's ids are checked now, before anything is declared.
    """
    spec = loaded.spec
    lz = spec.landing_zone
    if lz.role != "spoke":
        return None
    stack = pulumi.get_stack()
    source = f"Pulumi.{stack}.yaml"
    name = lz.name or stack
    registry = load_registry(lz)
    spaces = {"network.spoke.addressSpace": spec.network.spoke.address_space}
    _refuse(registration_problems(registry, name, "spoke", spaces, lz.rule_collection_priority), source)
    attachment = spoke_attachment(spec, loaded.plan, registry)

    def checked(outputs: Any, hub: str) -> HubContract:
        try:
            contract = read_contract(outputs, hub, name)
        except ContractError as error:
            raise pulumi.RunError(f"{source}: {error}") from None
        missing = [zone for zone in attachment.zones if zone not in contract.dns_zone_ids]
        if missing:
            raise pulumi.RunError(f"{source}: spoke {name} needs the hub's private DNS zones {', '.join(missing)}, "
                                  f"which hub {hub} does not hold; add them to the hub before the spoke links to them")
        return contract

    if lz.hub_stack is not None:
        reference = pulumi.StackReference(f"hub-{name}", stack_name=lz.hub_stack)
        hub = lz.hub_stack
        contract = reference.get_output(CONTRACT_OUTPUT).apply(lambda outputs: checked(outputs, hub))
    else:
        hub = "landingZone.hub"
        checked(lz.hub_outputs, hub)  # a brownfield hub's ids are in the stack file: refuse them now
        contract = pulumi.Output.from_input(dict(lz.hub_outputs)).apply(lambda outputs: checked(outputs, hub))
    return HubLink(contract, attachment, hub)
