"""The stack model and its loader: typed, validated, with secure defaults. Pure, no Pulumi.

`load_spec` takes a stack's `config` map (keys with their namespace, values as YAML gives them
or as the engine hands them, JSON strings) and returns a frozen `StackConfig`, or raises
`ConfigError` with one problem per mistake. Cross-field rules live in the registry
(`aksnet.rules.registry.check_stack`); `aksnet.pipeline.load_stack` runs both, so a user
sees every problem of the file at once.

Each section has its reader (`environment`, `network`, `cluster`, `egress`, `ingress` with `tls`,
`kubernetes`, `services` for `registry` and `diagnostics`) and the typed values live in
`aksnet.config.model`; this module re-exports the model's names, so importers need only this one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aksnet.config.cluster import read_cluster
from aksnet.config.egress import firewall_address, firewall_port, read_egress
from aksnet.config.environment import read_environment, read_location
from aksnet.config.ingress import read_ingress, read_tls
from aksnet.config.kubernetes import read_kubernetes
from aksnet.config.landing_zone import read_landing_zone
from aksnet.config.model import (
    POD_SECURITY_INITIATIVES,
    AppGatewaySpec,
    Certificate,
    ClusterSpec,
    DiagnosticsSpec,
    DnatRule,
    EgressSpec,
    EntraId,
    Environment,
    FirewallSpec,
    GitOpsSpec,
    IngressSpec,
    KubernetesSpec,
    NetworkRule,
    NetworkSpec,
    NginxSpec,
    NodePool,
    PodSecurity,
    RegistrySpec,
    StackConfig,
    TlsSpec,
    VNetSpec,
)
from aksnet.config.network import read_network
from aksnet.config.problems import ConfigError
from aksnet.config.regions import CHECKED as REGIONS_CHECKED
from aksnet.config.schema import REQUIRED, KeyDoc, Obj, Problems, did_you_mean
from aksnet.config.services import read_diagnostics, read_registry
from aksnet.vocabulary import CONFIG_NAMESPACES, NS

__all__ = [
    "POD_SECURITY_INITIATIVES", "SECTIONS", "AppGatewaySpec", "Certificate", "ClusterSpec", "DiagnosticsSpec",
    "DnatRule", "EgressSpec", "EntraId", "Environment", "FirewallSpec", "GitOpsSpec", "IngressSpec", "KubernetesSpec",
    "NetworkRule", "NetworkSpec", "NginxSpec", "NodePool", "PodSecurity", "RegistrySpec", "StackConfig", "TlsSpec",
    "VNetSpec", "decode_value", "firewall_address", "firewall_port", "load_spec",
]

SECTIONS = ("environment", "network", "cluster", "egress", "ingress", "kubernetes", "diagnostics", "registry",
            "tls", "landingZone")


def _key(name: str) -> str:
    return f"{NS}:{name}"


def decode_value(value: object) -> object:
    """Pulumi hands structured config to programs as JSON strings (a null as "null"); YAML gives objects."""
    if value == "null":
        return None
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            decoded: object = json.loads(value)
        except ValueError:
            return value
        return decoded
    return value


def load_spec(config: Mapping[str, object], stack: str, *, problems: Problems | None = None) -> StackConfig:
    """Read and validate every `aks-networking:` key of a stack's config map.

    `config` maps full keys (`aks-networking:cluster`, `azure-native:location`) to values.
    Raises `ConfigError` listing every problem found. `problems`: a recording one
    (`Problems(KeyRecorder())`) lists the keys for the reference instead.
    """
    problems = Problems() if problems is None else problems
    known = {_key(k) for k in SECTIONS}
    for key in config:
        namespace, colon, name = key.partition(":")
        if not colon:
            problems.add(key, f"has no namespace; write {NS}:{key}")
        elif namespace not in CONFIG_NAMESPACES:
            close = did_you_mean(namespace, CONFIG_NAMESPACES)
            hint = f"did you mean '{close}:{name}'?" if close else f"known: {', '.join(CONFIG_NAMESPACES)}"
            problems.add(key, f"is in namespace '{namespace}', which nothing reads; {hint}")
        elif namespace == NS and key not in known:
            close = did_you_mean(key, sorted(known))
            hint = f"did you mean '{close}'?" if close else f"known keys: {', '.join(sorted(known))}"
            problems.add(key, f"is not a known key; {hint}")

    def section(name: str, doc: str, required: bool = False) -> Obj:
        key = _key(name)
        problems.declare(KeyDoc(key, "mapping", REQUIRED if required else None, doc=doc))
        if key not in config and required:
            problems.add(key, "is required but missing")
        return Obj(problems, key, decode_value(config.get(key)))

    problems.declare(KeyDoc("azure-native:location", "string", doc="the Azure region, e.g. westeurope",
                            hint=f"a region of the table in aksnet/config/regions.py (checked {REGIONS_CHECKED})"))
    location = read_location(problems, config.get("azure-native:location"))

    environment = read_environment(section("environment", "names, tags and how strictly the stack is checked"), stack,
                               location)
    cluster_raw = decode_value(config.get(_key("cluster")))
    private_api = isinstance(cluster_raw, Mapping) and cluster_raw.get("private") is True
    network = read_network(section("network", "the VNets and their subnets: a single VNet, or hub and spoke",
                               required=True), private_api)
    cluster = read_cluster(section("cluster", "the AKS cluster: network profile, API server, node pools, identity, "
                               "add-ons", required=True), environment, network)
    egress = read_egress(section("egress", "the hub firewall the cluster's traffic leaves through"))
    ingress = read_ingress(section("ingress", "the ingress controller: Application Gateway with AGIC, or nginx"))
    kubernetes = read_kubernetes(section("kubernetes", "the Kubernetes layer: namespaces, apps, Ingresses, flows, "
                                     "policies, and how it is delivered"))
    diagnostics = read_diagnostics(section("diagnostics", "where the platform's logs and flow logs go"))
    registry = read_registry(section("registry", "the platform's own container registry, behind a private endpoint"))
    tls = read_tls(section("tls", "the application gateway's certificates, in a Key Vault of the stack"))
    landing_zone = read_landing_zone(section("landingZone", "the stack's role in a landing zone of one hub stack and "
                                             "many spoke stacks (landing-zone.yaml)"), stack)
    if landing_zone.role == "hub":
        problems.add(f"{NS}:landingZone.role", "hub: a hub has a program of its own, hub/__main__.py "
                     "(cd hub && pulumi up); preview it with its spokes: python -m tools.preview --landing-zone FILE")
    if problems:
        raise ConfigError(problems.items)
    if network is None or cluster is None:  # each reports why, so this is a defect of ours
        raise AssertionError("a section could not be read, yet no problem was recorded")
    return StackConfig(environment, network, cluster, egress, ingress, kubernetes, diagnostics, registry, tls,
                       landing_zone)
