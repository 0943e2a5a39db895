"""The offline preview of a landing zone: `python -m tools.preview --landing-zone FILE [--json]`.

FILE is the landing zone's registry (`landing-zone.yaml`): the hub and the spokes by their stack
files, relative to FILE. The hub runs first under the mock engine (`hub/__main__.py`); each spoke
then runs with the hub's outputs fed to its StackReference, as the Pulumi service would hand them
over after the hub's `pulumi up`. The report covers every stack's resources, the address plan
across stacks, the checks that only the joined landing zone can make (each spoke's peering pair,
DNS links, rule collection group priority) and every cross-spoke flow walked hop by hop.
"""

from __future__ import annotations

import gc
import ipaddress
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from tools.mock_engine import Record, RunResult, run_program
from tools.stackfile import StackFileError, StrictLoader, read_stack_file

HUB_PROGRAM = "hub/__main__.py"


@dataclass(frozen=True)
class StackReporter:
    """How the offline preview reports one stack (`tools.preview` hands its own functions over)."""

    analyze: Callable[[Any, str, RunResult], Any]
    resources_json: Callable[[RunResult], list[dict[str, Any]]]
    render_tree: Callable[[Sequence[Record]], list[str]]


@dataclass
class StackRun:
    name: str
    role: str
    display: str
    result: RunResult
    document: dict[str, Any]
    loaded: Any = None
    """The spoke's `LoadedStack`, or the hub's `LoadedHub`-like pair of spec and plan."""


@dataclass
class LandingZoneRun:
    stacks: dict[str, StackRun] = field(default_factory=dict)
    paths: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Lines that stop the preview (a stack refused, a registry refused)."""

    def as_json(self) -> dict[str, Any]:
        return {"stacks": {name: run.document for name, run in self.stacks.items()}, "paths": self.paths,
                "findings": self.findings}


def _finding(policy: str, stacks: Sequence[str], message: str, level: str = "mandatory") -> dict[str, Any]:
    return {"policy": policy, "level": level, "resource": " -> ".join(stacks), "message": message,
            "stacks": list(stacks)}


def read_landing_zone_file(path: str) -> Any:
    from aksnet.plan.landing_zone import read_registry
    display = os.path.relpath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle.read(), Loader=StrictLoader)  # safe, without aliases or duplicated keys
    except FileNotFoundError:
        raise StackFileError(f"{display}: no such landing zone file") from None
    except (OSError, yaml.YAMLError) as error:
        raise StackFileError(f"{display}: cannot be read: {error}") from None
    return read_registry(document, display)


def run_landing_zone(path: str, reporter: StackReporter) -> LandingZoneRun:
    """Every stack of the landing zone under the mock engine, the hub first, then the joined checks.

    Each stack's run is kept for the joined checks; once a run is over, its garbage is collected and
    what stays is set aside from the collector (`gc.freeze`), which would otherwise rescan every
    earlier stack's records in each full collection (the preview of 20 spokes spent a third of its
    time there)."""
    gc.collect()
    gc.freeze()
    try:
        return _run_landing_zone(path, reporter)
    finally:
        gc.unfreeze()


def _settled(result: RunResult) -> RunResult:
    gc.collect()
    gc.freeze()
    return result


def _run_landing_zone(path: str, reporter: StackReporter) -> LandingZoneRun:
    from aksnet.config.hub import load_hub_spec
    from aksnet.config.problems import ConfigError
    from aksnet.pipeline import load_stack
    from aksnet.plan.landing_zone import RegistryError, hub_plan, registration_problems
    from tools.policy_check import check as check_policies
    analyze, resources_json = reporter.analyze, reporter.resources_json

    run = LandingZoneRun()
    try:
        registry = read_landing_zone_file(path)
    except (StackFileError, RegistryError) as error:
        run.problems += error.lines if isinstance(error, RegistryError) else [str(error)]
        return run
    base = os.path.dirname(os.path.abspath(path))

    def stack_file(entry: Any) -> Any:
        return read_stack_file(os.path.join(base, entry.stack), display=entry.stack)

    hub = registry.hub
    try:
        hub_file = stack_file(hub)
        hub_spec = load_hub_spec(hub_file.config, hub.name)
    except StackFileError as error:
        run.problems.append(str(error))
        return run
    except ConfigError as error:
        run.problems += error.lines(hub.stack)
        return run
    refused = registration_problems(registry, hub_spec.landing_zone.name or hub.name, "hub",
                                    {"network.hub.addressSpace": hub_spec.hub.address_space})
    if refused:
        run.problems += [p.line(hub.stack) for p in refused]
        return run
    plan = hub_plan(hub_spec)
    result = _settled(run_program(hub.name, hub_file.config, main=HUB_PROGRAM))
    if result.error is not None:
        run.problems.append(f"{hub.stack}: {result.error}")
        return run
    hub_findings = check_policies(result.records, hub.name, hub_spec.environment.production, ())
    run.stacks[hub.name] = StackRun(hub.name, "hub", hub.stack, result, {
        "stack": hub.name, "role": "hub", "resources": resources_json(result),
        "addressPlan": [dict(row) for row in plan.address_plan], "findings": hub_findings,
        "outputs": result.exports}, (hub_spec, plan))
    for spoke in registry.spokes.values():
        try:
            spoke_file = stack_file(spoke)
            loaded = load_stack(spoke_file.config, spoke.name)
        except StackFileError as error:
            run.problems.append(str(error))
            continue
        except ConfigError as error:
            run.problems += error.lines(spoke.stack)
            continue
        reference = loaded.spec.landing_zone.hub_stack
        if loaded.spec.landing_zone.role != "spoke":
            run.problems.append(f"{spoke.stack}: aks-networking:landingZone.role: is {loaded.spec.landing_zone.role}, "
                                f"but {registry.source} lists {spoke.name} as a spoke; set role spoke")
            continue
        if reference is not None and reference.rsplit("/", 1)[-1] != hub.name:
            run.problems.append(f"{spoke.stack}: aks-networking:landingZone.hub: {reference} is not the landing "
                                f"zone's hub ({hub.name} in {registry.source})")
            continue
        outputs = {reference: result.exports} if reference is not None else {}
        spoke_result = _settled(run_program(spoke.name, spoke_file.config, stack_outputs=outputs))
        if spoke_result.error is not None:
            run.problems.append(f"{spoke.stack}: {spoke_result.error}")
            continue
        analysis = analyze(loaded, spoke.name, spoke_result)
        run.stacks[spoke.name] = StackRun(spoke.name, "spoke", spoke.stack, spoke_result, {
            "stack": spoke.name, "role": "spoke", "resources": resources_json(spoke_result),
            "addressPlan": [row.as_dict() for row in loaded.plan.address_plan], "findings": analysis.findings,
            "reachability": analysis.reachability, "paths": analysis.paths, "exposures": analysis.exposures,
            "outputs": {k: v for k, v in spoke_result.exports.items() if k != "addressPlan"}}, loaded)
    if run.problems:
        return run
    run.findings += joined_findings(run, registry)
    run.paths += cross_spoke_paths(run, registry)
    run.findings += dropped_flow_findings(run.paths)
    return run


def dropped_flow_findings(paths: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A declared cross-spoke flow that does not arrive refuses the landing zone, naming both stacks."""
    findings = []
    for entry in paths:
        if entry["verdict"] != "allowed":
            decided = entry["decidedBy"] or {}
            findings.append(_finding(
                "landing-zone-cross-spoke-flow", entry["stacks"],
                f"flow {entry['flow']} ({entry['from']} -> {entry['to']} {', '.join(entry['ports'])}) is dropped by "
                f"{decided.get('layer')} ({decided.get('resource')}: {decided.get('rule')})"))
    return findings


# Checks of the joined landing zone --------------------------------------------------------------

def _vnet(records: Sequence[Record]) -> Record:
    return next(r for r in records if r.type == "azure-native:network:VirtualNetwork")


def joined_findings(run: LandingZoneRun, registry: Any) -> list[dict[str, Any]]:
    """Each spoke's peering pair, its links to the hub's zones it needs, its rule collection group's priority."""
    from aksnet.plan.hub_contract import CONTRACT_OUTPUT, read_contract
    from aksnet.plan.landing_zone import spoke_attachment
    hub_run = run.stacks[registry.hub.name]
    findings = []
    for name, spoke in run.stacks.items():
        if spoke.role != "spoke":
            continue
        contract = read_contract(hub_run.result.exports.get(CONTRACT_OUTPUT), registry.hub.name, name)
        attachment = spoke_attachment(spoke.loaded.spec, spoke.loaded.plan, registry)
        findings += spoke_findings(name, registry.hub.name, spoke.result.records, contract, attachment,
                                   registry.spokes[name].priorities)
    priorities: dict[int, str] = {}
    for name, spoke in run.stacks.items():
        for group in spoke.result.of_type("azure-native:network:FirewallPolicyRuleCollectionGroup"):
            priority = int(group.inputs["priority"])
            other = priorities.setdefault(priority, name)
            if other != name:
                findings.append(_finding("landing-zone-rule-priority", [other, name],
                                         f"{other} and {name} both write a rule collection group of priority "
                                         f"{priority} on the hub's policy; Azure refuses the second"))
    return findings


def spoke_findings(name: str, hub: str, records: Sequence[Record], contract: Any, attachment: Any,
                   priorities: tuple[int, int] | None) -> list[dict[str, Any]]:
    """What one spoke's recorded resources must hold for the hub to carry its traffic."""
    findings = []
    vnet = _vnet(records)
    vnet_id, vnet_name = vnet.outputs["id"], vnet.inputs["virtualNetworkName"]
    peerings = [r.inputs for r in records if r.type == "azure-native:network:VirtualNetworkPeering"]
    spoke_side = [p for p in peerings if p["virtualNetworkName"] == vnet_name
                  and p["remoteVirtualNetwork"]["id"] == contract.vnet_id]
    hub_side = [p for p in peerings if p["virtualNetworkName"] == contract.vnet_name
                and p["resourceGroupName"] == contract.resource_group_name
                and p["remoteVirtualNetwork"]["id"] == vnet_id]
    # A peering connects only when both VNets hold their half; until then it stays Initiated.
    # https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#create-a-peering
    for have, missing, this in ((spoke_side, f"{name} -> {hub}", f"{hub} -> {name}"),
                                (hub_side, f"{hub} -> {name}", f"{name} -> {hub}")):
        if not have:
            findings.append(_finding("landing-zone-peering-pair", [name, hub],
                                     f"the peering {this} has no return half ({missing}): it stays Initiated and "
                                     "carries nothing; the spoke creates both halves"))
    for side in (*spoke_side, *hub_side):
        if not side.get("allowForwardedTraffic"):
            findings.append(_finding("landing-zone-peering-pair", [name, hub],
                                     f"the peering of {side['virtualNetworkName']} does not allow forwarded traffic: "
                                     "what the hub's firewall forwards between spokes is dropped"))
    links = [r.inputs for r in records if r.type == "azure-native:privatedns:VirtualNetworkLink"]
    for zone in attachment.zones:
        if not any(link["privateZoneName"] == zone and link["virtualNetwork"]["id"] == vnet_id
                   and link["resourceGroupName"] == contract.zone_group(zone) for link in links):
            # Private endpoints' names resolve privately only in VNets linked to their zone.
            # https://learn.microsoft.com/azure/private-link/private-endpoint-dns
            findings.append(_finding("landing-zone-dns-link", [name, hub],
                                     f"{name} resolves {zone} (its private endpoints' names) but has no link to "
                                     f"{hub}'s zone: its pods would get the public addresses"))
    for group in (r for r in records if r.type == "azure-native:network:FirewallPolicyRuleCollectionGroup"):
        priority = int(group.inputs["priority"])  # the engine's numbers are floats
        if priorities is not None and not priorities[0] <= priority <= priorities[1]:
            findings.append(_finding("landing-zone-rule-priority", [name, hub],
                                     f"{name}'s rule collection group {group.inputs['ruleCollectionGroupName']} has "
                                     f"priority {priority}, outside {priorities[0]}-{priorities[1]}, the range "
                                     f"{hub} assigns it"))
    return findings


def cross_spoke_paths(run: LandingZoneRun, registry: Any,
                      adjust: Any = None) -> list[dict[str, Any]]:
    """Every flow a spoke declares to a range of another spoke, walked through the joined network.
    `adjust(spoke)`: the `JoinedSpoke` as the walk should see it (a test's broken variant)."""
    from aksnet.analysis.paths import network_of
    from aksnet.analysis.paths.joined import JoinedHub, JoinedSpoke, LandingZoneTracer
    from aksnet.plan.hub_contract import CONTRACT_OUTPUT, read_contract
    from aksnet.plan.landing_zone import spoke_attachment
    hub_run = run.stacks[registry.hub.name]
    hub_spec = hub_run.loaded[0]
    contract = read_contract(hub_run.result.exports[CONTRACT_OUTPUT], registry.hub.name, "the landing zone")
    joined = []
    for name, spoke in run.stacks.items():
        if spoke.role != "spoke":
            continue
        attachment = spoke_attachment(spoke.loaded.spec, spoke.loaded.plan, registry)
        complete = not [f for f in spoke_findings(name, registry.hub.name, spoke.result.records, contract, attachment,
                                                  None) if f["policy"] == "landing-zone-peering-pair"]
        view = JoinedSpoke(name, network_of(spoke.loaded.spec, spoke.loaded.plan), attachment.rule_group,
                           attachment.ip_groups, attachment.routes, attachment.peering, complete)
        joined.append(adjust(view) if adjust is not None else view)
    hub = JoinedHub(registry.hub.name, tuple(ipaddress.IPv4Network(s) for s in contract.address_space),
                    ipaddress.IPv4Address(contract.firewall_private_ip), contract.dns_proxy,
                    hub_spec.environment.location)
    tracer = LandingZoneTracer(hub, joined)
    out = []
    for name, spoke in run.stacks.items():
        if spoke.role != "spoke":
            continue
        workloads = spoke.loaded.spec.kubernetes.workloads
        for flow in workloads.flows:
            target = flow.destination.cidr
            if target is None or flow.destination.fqdn is not None:
                continue
            address = target.network_address if target.num_addresses <= 2 else target.network_address + 1
            other = tracer.spoke_of(address)
            if other is None or other.name == name:
                continue
            for app in workloads.apps_selected_by(flow.source):
                key = f"{app.namespace}/{app.name}"
                for port in flow.ports or ():
                    if port.port is None:
                        continue
                    path = tracer.trace(name, key, address, port.protocol, port.port, str(target))
                    out.append({"flow": flow.name, "stacks": [name, other.name], "from": f"{name}: {key}",
                                "to": f"{other.name}: {target}", "ports": [f"{port.protocol}/{port.port}"],
                                **path.as_dict()})
    return out


def hub_outputs_for(spec: Any) -> dict[str, Any]:
    """For a spoke previewed alone, its hub's outputs by the name its StackReference reads: the registry's
    hub, run first under the mock engine, as a real spoke's preview reads the deployed hub. Raises
    `StackFileError` with the line to show when the hub cannot be run."""
    from aksnet.config.hub import load_hub_spec
    from aksnet.config.problems import ConfigError
    from aksnet.plan.landing_zone import RegistryError
    from tools.mock_engine import PROJECT_DIR
    lz = spec.landing_zone
    if lz.role != "spoke" or lz.hub_stack is None:
        return {}
    path = os.path.join(PROJECT_DIR, lz.registry)
    try:
        registry = read_landing_zone_file(path)
        hub_file = read_stack_file(os.path.join(os.path.dirname(path), registry.hub.stack), display=registry.hub.stack)
        load_hub_spec(hub_file.config, registry.hub.name)
    except RegistryError as error:
        raise StackFileError(error.lines[0]) from None
    except ConfigError as error:
        raise StackFileError(error.lines(registry.hub.stack)[0]) from None
    result = run_program(registry.hub.name, hub_file.config, main=HUB_PROGRAM)
    if result.error is not None:
        raise StackFileError(f"{registry.hub.stack}: {result.error}")
    return {lz.hub_stack: result.exports}


# The command line ------------------------------------------------------------------------------

def render_address_plan(run: LandingZoneRun) -> list[str]:
    rows = [("stack", "range", "role", "size")]
    rows += [(name, row["cidr"], row["role"], f"{row['size']:,}") for name, stack in run.stacks.items()
             for row in stack.document["addressPlan"]]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return ["  " + "  ".join(c.ljust(widths[i]) for i, c in enumerate(r)) for r in rows]


def render_path(entry: Mapping[str, Any]) -> list[str]:
    lines = [f"  {entry['verdict']:<8} {entry['flow']}: {entry['from']} -> {entry['to']} {', '.join(entry['ports'])}"]
    lines += [f"      {hop['layer']:<13} {hop['resource']}: {hop['rule']} [{hop['action']}]" for hop in entry["hops"]]
    return lines


def main(path: str, as_json: bool, reporter: StackReporter, diagram: str | None = None) -> int:
    """`diagram`: a directory for the landing zone's picture (`landing-zone-overview`), written only when
    nothing mandatory stands."""
    render_tree = reporter.render_tree
    run = run_landing_zone(path, reporter)
    if run.problems:
        for line in run.problems:
            print(line, file=sys.stderr)
        return 1
    stack_findings = [dict(f, stacks=[name]) for name, stack in run.stacks.items() for f in stack.document["findings"]]
    mandatory = [f for f in (*stack_findings, *run.findings) if f["level"] == "mandatory"]
    if diagram is not None and not mandatory:
        from tools.diagram import landing_zone, write_diagrams
        graph = landing_zone([(name, stack.role, stack.result.records) for name, stack in run.stacks.items()],
                             run.paths, f"landing zone {os.path.relpath(path)}")
        written = write_diagrams(diagram, "landing-zone", [("overview", graph)])
        print(f"Wrote {len(written)} diagram files to {diagram}", file=sys.stderr if as_json else sys.stdout)
    if as_json:
        json.dump(run.as_json(), sys.stdout, indent=2, default=str)
        print()
    else:
        total = sum(len(s.result.records) for s in run.stacks.values())
        print(f"Landing zone {os.path.relpath(path)}: {len(run.stacks)} stacks, {total} resources\n")
        for name, stack in run.stacks.items():
            print(f"Stack {name} ({stack.role}, {stack.display}): {len(stack.result.records)} resources")
            print("\n".join("  " + line for line in render_tree(stack.result.records)))
            print()
        print("Address plan across the stacks")
        print("\n".join(render_address_plan(run)))
        print("\nPaths across the spokes, through the hub's firewall")
        for entry in run.paths:
            print("\n".join(render_path(entry)))
        print("\nFindings" + (":" if stack_findings or run.findings else ": none"))
        for finding in (*stack_findings, *run.findings):
            print(f"  [{finding['level']}] {finding['policy']} {', '.join(finding['stacks'])}: {finding['message']}")
    for finding in mandatory:
        print(f"{os.path.relpath(path)}: {', '.join(finding['stacks'])}: {finding['policy']}: {finding['message']}",
              file=sys.stderr)
    return 1 if mandatory else 0


__all__ = ["LandingZoneRun", "StackReporter", "StackRun", "cross_spoke_paths", "dropped_flow_findings",
           "hub_outputs_for", "joined_findings", "main", "run_landing_zone", "spoke_findings"]
