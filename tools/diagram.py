"""Pictures of the network from a mocked run: topology and east-west traffic.

Both come from what the program declared (the recorded resources) and from the reachability
of its NetworkPolicies, never from a second reading of the stack file. One small graph model
renders to Mermaid (`.mmd`, shown by the usual code hosts) and to Graphviz (`.dot`, and SVG
when the `dot` program is installed).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from aksnet.plan.plan import Plan
from aksnet.vocabulary import INTERNAL_LB_ANNOTATION, LB_IPV4_ANNOTATION
from tools.mock_engine import Record


@dataclass
class Node:
    id: str
    label: str
    shape: str = "box"
    """box, round (a service), circle (the internet) or db (a zone or table)."""


@dataclass
class Group:
    id: str
    label: str
    items: list[Group | Node] = field(default_factory=list)


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
    style: str = "solid"
    """solid (traffic), dashed (association), thick (the default route)."""
    both: bool = False


@dataclass
class Graph:
    title: str
    items: list[Group | Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


# Rendering ----------------------------------------------------------------------------------

def _mermaid_text(text: str) -> str:
    return text.replace('"', "'").replace("\n", "<br/>")


def _emit_items(graph: Graph, lines: list[str], opening: Callable[[Group], str], closing: str,
                node: Callable[[Node], str]) -> None:
    """Groups and nodes, nested and indented, in a diagram language's words."""
    def emit(item: Group | Node, depth: int) -> None:
        pad = "  " * depth
        if isinstance(item, Group):
            lines.append(pad + opening(item))
            for child in item.items:
                emit(child, depth + 1)
            lines.append(pad + closing)
        else:
            lines.append(pad + node(item))

    for item in graph.items:
        emit(item, 1)


def to_mermaid(graph: Graph) -> str:
    lines = [f"%% {graph.title}", "flowchart LR"]
    shapes = {"box": ('["', '"]'), "round": ('("', '")'), "circle": ('(("', '"))'), "db": ('[("', '")]')}

    def node(item: Node) -> str:
        left, right = shapes[item.shape]
        return f"{item.id}{left}{_mermaid_text(item.label)}{right}"

    _emit_items(graph, lines, lambda group: f'subgraph {group.id}["{_mermaid_text(group.label)}"]', "end", node)
    arrows = {"solid": "-->", "dashed": "-.->", "thick": "==>"}
    for edge in graph.edges:
        arrow = arrows[edge.style]
        if edge.both:
            arrow = {"solid": "<-->", "dashed": "<-.->", "thick": "<==>"}[edge.style]
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(lines) + "\n"


def to_dot(graph: Graph) -> str:
    lines = [f'digraph "{graph.title}" {{', "  rankdir=LR; compound=true; node [fontname=Helvetica, fontsize=10];",
             "  edge [fontname=Helvetica, fontsize=9];"]
    shapes = {"box": "box", "round": "box, style=rounded", "circle": "circle", "db": "cylinder"}

    def node(item: Node) -> str:
        label = item.label.replace('"', "'")
        return f'{item.id} [label="{label}", shape={shapes[item.shape]}];'

    _emit_items(graph, lines, lambda group: f'subgraph cluster_{group.id} {{ label="{group.label}";', "}", node)
    # Graphviz links nodes, not clusters: an edge to a group lands on its first node, clipped
    # at the cluster's border (lhead/ltail).
    inside = {group.id: _first_node(group) for group in _walk(graph.items)}
    styles = {"solid": "", "dashed": ", style=dashed", "thick": ", penwidth=2.5"}
    for edge in graph.edges:
        extra = styles[edge.style] + (", dir=both" if edge.both else "")
        source, target = edge.source, edge.target
        if source in inside:
            source, extra = inside[source], extra + f", ltail=cluster_{source}"
        if target in inside:
            target, extra = inside[target], extra + f", lhead=cluster_{target}"
        lines.append(f'  {source} -> {target} [label="{edge.label}"{extra}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


# Topology ------------------------------------------------------------------------------------

def _by_type(records: Sequence[Record], typ: str) -> list[Record]:
    return [r for r in records if r.type == typ]


def _id_of(record: Record) -> str:
    return str(record.outputs.get("id", record.urn))


def topology(records: Sequence[Record], plan: Plan, title: str) -> Graph:
    """The network as the run declared it; where a role matters (the nodes', the internal load
    balancers' subnet), the plan names the subnet: nothing is guessed from naming conventions."""
    graph = Graph(title=title)
    internet = Node("internet", "Internet", "circle")
    graph.items.append(internet)
    names = [r.inputs["resourceGroupName"] for r in _by_type(records, "azure-native:resources:ResourceGroup")]
    groups = {name: Group(slug("rg_" + name), name) for name in names}
    graph.items += list(groups.values())
    subnet_nodes: dict[str, str] = {}
    nodes_by_subnet_name: dict[str, str] = {}
    vnet_ids: dict[str, str] = {}
    subnets = _by_type(records, "azure-native:network:Subnet")
    for vnet in _by_type(records, "azure-native:network:VirtualNetwork"):
        name = vnet.inputs["virtualNetworkName"]
        spaces = ", ".join(vnet.inputs.get("addressSpace", {}).get("addressPrefixes", []))
        box = Group(slug("vnet_" + name), f"{name} {spaces}")
        vnet_ids[_id_of(vnet)] = box.id
        for subnet in subnets:
            if subnet.inputs.get("virtualNetworkName") != name:
                continue
            subnet_name = subnet.inputs["subnetName"]
            subnet_node = Node(slug(f"{name}_{subnet_name}"), f"{subnet_name} {subnet.inputs.get('addressPrefix', '')}")
            subnet_nodes[_id_of(subnet)] = subnet_node.id
            nodes_by_subnet_name.setdefault(subnet_name, subnet_node.id)
            box.items.append(subnet_node)
        groups.get(vnet.inputs["resourceGroupName"], graph).items.append(box)

    def add_to_subnet(subnet_id: str, text: str) -> str | None:
        return label_subnet(subnet_nodes.get(subnet_id), text)

    def label_subnet(node_id: str | None, text: str) -> str | None:
        for group in _walk(graph.items):
            for item in group.items:
                if isinstance(item, Node) and item.id == node_id:
                    item.label += f"\n{text}"
        return node_id

    vnet_by_name = {v.inputs["virtualNetworkName"]: vnet_ids[_id_of(v)]
                    for v in _by_type(records, "azure-native:network:VirtualNetwork")}
    peered: set[frozenset[str]] = set()
    for peering in _by_type(records, "azure-native:network:VirtualNetworkPeering"):
        local = vnet_by_name.get(peering.inputs["virtualNetworkName"])
        remote = vnet_ids.get(peering.inputs.get("remoteVirtualNetwork", {}).get("id", ""))
        if local and remote and frozenset((local, remote)) not in peered:
            peered.add(frozenset((local, remote)))  # both directions of a peering: one edge
            graph.edges.append(Edge(local, remote, "peering", "dashed", both=True))

    firewall_node = None
    for firewall in _by_type(records, "azure-native:network:AzureFirewall"):
        configs = firewall.outputs.get("ipConfigurations") or firewall.inputs.get("ipConfigurations") or []
        address = configs[0].get("privateIPAddress", "") if configs else ""
        firewall_node = add_to_subnet(configs[0]["subnet"]["id"], f"Azure Firewall {address}".strip()) \
            if configs else None
        if firewall_node:
            graph.edges.append(Edge(firewall_node, internet.id, "egress (SNAT)"))
    for gateway in _by_type(records, "azure-native:network:ApplicationGateway"):
        sku = gateway.inputs.get("sku", {}).get("name", "")
        node = add_to_subnet(gateway.inputs["gatewayIPConfigurations"][0]["subnet"]["id"], f"Application Gateway {sku}")
        if node and any("publicIPAddress" in f for f in gateway.inputs.get("frontendIPConfigurations", [])):
            graph.edges.append(Edge(internet.id, node, "HTTP/HTTPS"))
    for bastion in _by_type(records, "azure-native:network:BastionHost"):
        node = add_to_subnet(bastion.inputs["ipConfigurations"][0]["subnet"]["id"], "Azure Bastion")
        if node:
            graph.edges.append(Edge(internet.id, node, "operators, HTTPS"))

    tables = {_id_of(t): t.inputs["routeTableName"] for t in _by_type(records, "azure-native:network:RouteTable")}
    defaults = {r.inputs["routeTableName"]: r.inputs for r in _by_type(records, "azure-native:network:Route")
                if r.inputs.get("addressPrefix") == "0.0.0.0/0"}
    for subnet in subnets:
        table = tables.get((subnet.inputs.get("routeTable") or {}).get("id", ""))
        node = subnet_nodes.get(_id_of(subnet))
        if table is None or node is None:
            continue
        route = defaults.get(table)
        if route is not None and firewall_node is not None:
            graph.edges.append(Edge(node, firewall_node, f"0.0.0.0/0 via {table} to {route.get('nextHopIpAddress')}",
                                    "thick"))
        elif route is not None:
            graph.edges.append(Edge(node, internet.id, f"0.0.0.0/0 via {table} to {route.get('nextHopIpAddress')}",
                                    "thick"))
        else:
            add_to_subnet(_id_of(subnet), f"route table {table}")

    for cluster in _by_type(records, "azure-native:containerservice:ManagedCluster"):
        profile = cluster.inputs.get("networkProfile", {})
        access = cluster.inputs.get("apiServerAccessProfile", {})
        pool_subnets = {p.get("vnetSubnetID") for p in cluster.inputs.get("agentPoolProfiles", [])}
        mode = profile.get("networkPluginMode")
        plugin = profile.get("networkPlugin", "") + (f"/{mode}" if mode else "")
        for subnet_id in pool_subnets:
            node = add_to_subnet(subnet_id, f"AKS {cluster.inputs.get('resourceName')} ({plugin}, "
                                            f"{profile.get('networkPolicy', 'no')} policy)")
            outbound = profile.get("outboundType")
            if node and outbound == "loadBalancer":
                graph.edges.append(Edge(node, internet.id, "egress via the cluster load balancer"))
            elif node and outbound in ("managedNATGateway", "userAssignedNATGateway"):
                graph.edges.append(Edge(node, internet.id, "egress via NAT gateway"))
            if node and not access.get("enablePrivateCluster"):
                graph.edges.append(Edge(internet.id, node, "API server (authorized ranges)", "dashed"))
    links = _by_type(records, "azure-native:privatedns:VirtualNetworkLink")
    for zone in _by_type(records, "azure-native:privatedns:PrivateZone"):
        zone_name, zone_group = zone.inputs["privateZoneName"], zone.inputs["resourceGroupName"]
        zone_node = Node(slug("zone_" + zone_name), f"private DNS {zone_name}", "db")
        groups.get(zone_group, graph).items.append(zone_node)
        # A link is a child of one zone, which it names with the zone's resource group; the links
        # of the other zones are not this one's.
        for link in links:
            if (link.inputs.get("privateZoneName"), link.inputs.get("resourceGroupName")) != (zone_name, zone_group):
                continue
            target = vnet_ids.get(link.inputs.get("virtualNetwork", {}).get("id", ""))
            if target:
                graph.edges.append(Edge(zone_node.id, target, "link", "dashed"))
    for service in _by_type(records, "kubernetes:core/v1:Service"):
        spec = service.inputs.get("spec", {})
        meta = service.inputs.get("metadata", {})
        if spec.get("type") != "LoadBalancer":
            continue
        name = f"{meta.get('namespace')}/{meta.get('name')}"
        annotations = meta.get("annotations", {})
        if annotations.get(INTERNAL_LB_ANNOTATION) == "true":
            ilb = nodes_by_subnet_name.get(plan.subnet_names.get("ilb", ""))
            if ilb:
                address = annotations.get(LB_IPV4_ANNOTATION, "")
                label_subnet(ilb, f"internal LB {name} {address}".strip())
        else:
            node_subnet = nodes_by_subnet_name.get(plan.subnet_names["nodes"])
            if node_subnet:
                graph.edges.append(Edge(internet.id, node_subnet, f"public LB {name}"))
    # A Gateway API controller: Envoy Gateway's proxies behind a public LB on the nodes, or AGC in its subnet.
    for release in _by_type(records, "kubernetes:helm.sh/v3:Release"):
        node_subnet = nodes_by_subnet_name.get(plan.subnet_names["nodes"])
        if str(release.inputs.get("chart", "")).endswith("/gateway-helm") and node_subnet:
            graph.edges.append(Edge(internet.id, node_subnet, "public LB Envoy Gateway proxies"))
    frontends = [f.inputs["frontendName"]
                 for f in _by_type(records, "azure-native:servicenetworking:FrontendsInterface")]
    for association in _by_type(records, "azure-native:servicenetworking:AssociationsInterface"):
        node = add_to_subnet(association.inputs["subnet"]["id"], "Application Gateway for Containers")
        if node:
            graph.edges.append(Edge(internet.id, node, f"HTTP/HTTPS, frontends {', '.join(frontends)}"))
    return graph


def _first_node(group: Group) -> str:
    for item in group.items:
        if isinstance(item, Node):
            return item.id
        found = _first_node(item)
        if found:
            return found
    return group.id


def _walk(items: Iterable[Group | Node]) -> Iterable[Group]:
    for item in items:
        if isinstance(item, Group):
            yield item
            yield from _walk(item.items)


# East-west -------------------------------------------------------------------------------------

def east_west(allowed: Sequence[dict], apps: Sequence[str], title: str) -> Graph:
    """Namespaces and apps, an arrow for each allowed connection with its ports."""
    graph = Graph(title=title)
    allowed = _merge_outside(allowed)
    endpoints = set(apps) | {e["from"] for e in allowed} | {e["to"] for e in allowed}
    namespaces: dict[str, Group] = {}
    ids: dict[str, str] = {}
    for endpoint in sorted(endpoints):
        if "/" in endpoint and not endpoint[0].isdigit():
            namespace, name = endpoint.split("/", 1)
            group = namespaces.setdefault(namespace, Group(slug("ns_" + namespace), f"namespace {namespace}"))
            label = "ingress controller" if name == "ingress-controller" else name
            node = Node(slug(f"app_{namespace}_{name}"), label, "round")
            group.items.append(node)
        else:
            ranges = endpoint.split(",")
            label = f"outside {ranges[0]}" if len(ranges) == 1 else "other outside addresses"
            node = Node(slug("cidr_" + ranges[0]), label, "circle" if len(ranges) > 1 else "box")
            graph.items.append(node)
        ids[endpoint] = node.id
    graph.items[:0] = list(namespaces.values())
    for entry in allowed:
        ports = entry["ports"]
        label = "all ports" if ports == "all" else ", ".join(ports)
        graph.edges.append(Edge(ids[entry["from"]], ids[entry["to"]], label))
    return graph


def _merge_outside(allowed: Sequence[dict]) -> list[dict]:
    """Outside regions that every policy treats alike become one endpoint (ranges joined by ',')."""
    def outside(endpoint: str) -> bool:
        return endpoint[0].isdigit()
    signature: dict[str, set] = {}
    for entry in allowed:
        for side, other in (("from", "to"), ("to", "from")):
            if outside(entry[side]):
                signature.setdefault(entry[side], set()).add((side, entry[other], str(entry["ports"])))
    merged: dict[frozenset, list[str]] = {}
    for region, sig in signature.items():
        merged.setdefault(frozenset(sig), []).append(region)
    rename = {}
    for regions in merged.values():
        def first_address(region: str) -> list[int]:
            return [int(part) for part in region.split(",")[0].split("/")[0].split(".")]
        joined = ",".join(r for region in sorted(regions, key=first_address) for r in region.split(","))
        for region in regions:
            rename[region] = joined
    out, seen = [], set()
    for entry in allowed:
        item = {**entry, "from": rename.get(entry["from"], entry["from"]), "to": rename.get(entry["to"], entry["to"])}
        key = (item["from"], item["to"], str(item["ports"]))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def north_south(paths: Sequence[dict], title: str) -> Graph:
    """The paths that cross the cluster's edge: from the internet in, and from the cluster out, each
    with its verdict and the layer that decided it. A destination's names (a registry's) are one node."""
    graph = Graph(title=title)
    ids: dict[str, str] = {}
    nodes: dict[str, Node] = {}
    names: dict[str, list[str]] = {}
    namespaces: dict[str, Group] = {}

    def node(endpoint: str, flow: str) -> str:
        if "/" in endpoint and not endpoint[0].isdigit():
            namespace, name = endpoint.split("/", 1)
            group = namespaces.setdefault(namespace, Group(slug("ns_" + namespace), f"namespace {namespace}"))
            key, label, shape, home = endpoint, name, "round", group.items
        elif endpoint.startswith("internet"):
            key, label, shape, home = "internet", "internet", "circle", graph.items
        elif endpoint == "nodes":
            key, label, shape, home = "nodes", "nodes (kubelet, add-ons)", "box", graph.items
        else:
            key, label, shape, home = f"out {flow}", flow, "box", graph.items
            names.setdefault(key, []).append(endpoint)
        if key not in ids:
            ids[key] = slug("ns_" + key)
            nodes[key] = Node(ids[key], label, shape)
            home.append(nodes[key])
        return ids[key]

    edges: dict[tuple[str, str], list[str]] = {}
    for entry in paths:
        outside = not ("/" in entry["to"] and not entry["to"][0].isdigit()) or entry["from"].startswith("internet")
        if not outside or entry["from"] == entry["to"]:
            continue
        decided = entry["decidedBy"]["layer"] if entry.get("decidedBy") else "-"
        text = f"{', '.join(entry['ports'])} {entry['verdict']} ({decided})"
        pair = (node(entry["from"], entry["flow"]), node(entry["to"], entry["flow"]))
        if text not in edges.setdefault(pair, []):
            edges[pair].append(text)
    for name, endpoints in names.items():
        unique = sorted(set(endpoints))
        more = f" (+{len(unique) - 1} more)" if len(unique) > 1 else ""
        nodes[name].label = f"{nodes[name].label}: {unique[0]}{more}"
    graph.items[:0] = list(namespaces.values())
    for (source, target), texts in edges.items():
        denied = any(" denied " in t for t in texts)
        graph.edges.append(Edge(source, target, "; ".join(texts), "dashed" if denied else "solid"))
    return graph


def landing_zone(stacks: Sequence[tuple[str, str, Sequence[Record]]], paths: Sequence[dict], title: str) -> Graph:
    """The landing zone as one picture: each stack (name, role, resources) with its VNets and ranges, the
    hub's firewall, each spoke's cluster; every spoke's peering with the hub, its default route to the
    firewall, and each cross-spoke flow through the firewall with its verdict (`--landing-zone` paths)."""
    graph = Graph(title=title)
    firewall = ""
    hub_vnet = ""
    spokes: list[tuple[str, str, str, str]] = []
    """Each spoke's name, VNet node, cluster node, and its routes to the firewall."""
    for name, role, records in stacks:
        group = Group(slug(f"lz_{name}"), f"{name} ({role})")
        vnets = [r for r in _by_type(records, "azure-native:network:VirtualNetwork") if r.custom]
        for record in vnets:
            prefixes = ", ".join((record.inputs.get("addressSpace") or {}).get("addressPrefixes") or [])
            label = f"{record.inputs.get('virtualNetworkName', record.name)} {prefixes}"
            group.items.append(Node(slug(f"lz_{name}_{record.name}"), label))
        for wall in _by_type(records, "azure-native:network:AzureFirewall"):
            firewall = slug(f"lz_{name}_{wall.name}")
            group.items.append(Node(firewall, f"Azure Firewall {wall.inputs.get('azureFirewallName', wall.name)}"))
        for cluster in _by_type(records, "azure-native:containerservice:ManagedCluster"):
            label = f"AKS {cluster.inputs.get('resourceName', cluster.name)}"
            group.items.append(Node(slug(f"lz_{name}_cluster"), label, "round"))
        if vnets and role == "hub":
            hub_vnet = group.items[0].id if isinstance(group.items[0], Node) else ""
        elif vnets:
            to_firewall = [r.inputs for r in _by_type(records, "azure-native:network:Route")
                           if r.inputs.get("nextHopType") == "VirtualAppliance"]
            via = sorted({str(r.get("nextHopIpAddress")) for r in to_firewall})
            routes = f"{', '.join(str(r.get('addressPrefix')) for r in to_firewall)} via {', '.join(via)}" \
                if to_firewall else ""
            spokes.append((name, group.items[0].id, slug(f"lz_{name}_cluster"), routes))
        graph.items.append(group)
    for _name, spoke_vnet, _cluster, routes in spokes:
        if hub_vnet:
            graph.edges.append(Edge(spoke_vnet, hub_vnet, "peering", "dashed", both=True))
        if firewall and routes:  # the spoke's user routes to the hub's firewall
            graph.edges.append(Edge(spoke_vnet, firewall, routes, "thick"))
    clusters = {name: cluster for name, _vnet, cluster, _routes in spokes}
    for entry in paths:
        source, target = (clusters.get(stack) for stack in entry["stacks"])
        if source is None or target is None or not firewall:
            continue
        text = f"{entry['flow']} {', '.join(entry['ports'])} {entry['verdict']}"
        style = "solid" if entry["verdict"] == "allowed" else "dashed"
        graph.edges += [Edge(source, firewall, text, style), Edge(firewall, target, text, style)]
    return graph


def write_diagrams(directory: str, stack: str, graphs: Sequence[tuple[str, Graph]]) -> list[str]:
    """Write `<stack>-<kind>` (topology, east-west, north-south) as .mmd and .dot, and .svg when dot exists."""
    os.makedirs(directory, exist_ok=True)
    written = []
    for kind, graph in graphs:
        stem = os.path.join(directory, f"{stack}-{kind}")
        for extension, text in ((".mmd", to_mermaid(graph)), (".dot", to_dot(graph))):
            with open(stem + extension + ".tmp", "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(stem + extension + ".tmp", stem + extension)  # whole files only, never half-written
            written.append(stem + extension)
        if graphviz_available():
            subprocess.run(["dot", "-Tsvg", stem + ".dot", "-o", stem + ".svg"], check=True)
            written.append(stem + ".svg")
    return written


def graphviz_available() -> bool:
    return shutil.which("dot") is not None
