"""Guardrails over the recorded resources: pure functions over the engine's camelCase properties.

A resource check is `check(args, report_violation)` where `args` has `resource_type`, `props`,
`name` and `urn` (pulumi_policy's ResourceValidationArgs); a whole-stack check gets `args` with
`resources`, each such an object. Each is a rule of the registry (`aksnet.rules.registry`), with
its levels per kind of environment: the CrossGuard pack (`policies/__main__.py`), the offline
preview and the tests run these same functions, and `policies/config/<stack>.json` holds the
registry's levels for `pulumi preview --policy-pack-config`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from aksnet.rules.rule import Level, Props, Report, Rule, RuleBook
from aksnet.vocabulary import (
    AGENT_POOL,
    AGIC_SSL_CERTIFICATE,
    APP_GATEWAY,
    CLUSTER,
    DEPLOYMENT,
    FIREWALL,
    FIREWALL_POLICY,
    GATEWAY,
    INGRESS,
    NETWORK_POLICY,
    NO_NSG_SUBNETS,
    PLATFORM_NAMESPACES,
    SUBNET,
    WAF_POLICY,
)

SECRET_KEYS = ("password", "adminpassword", "clientsecret", "secret", "privatekey", "sharedkey",
               "primarykey", "secondarykey", "connectionstring", "accesskey", "sastoken")

AKS_EGRESS = "https://learn.microsoft.com/azure/aks/limit-egress-traffic"
book = RuleBook()


def _props(args: Any) -> Props:
    return args.props or {}


# Cluster ------------------------------------------------------------------------------------

@book.guardrail("private-api-or-authorized-ranges", "The API server is private or limited to authorized ranges.",
                "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges", of=(CLUSTER,),
                production="mandatory", development="advisory")
def private_api_or_authorized_ranges(args: Any, report: Report) -> None:
    access = _props(args).get("apiServerAccessProfile") or {}
    if access.get("enablePrivateCluster"):
        return
    ranges = access.get("authorizedIPRanges") or []
    if not ranges:
        report("The API server is public to the whole internet: make it private, or list "
               "authorizedIPRanges.", None)
    elif covers_most_of_the_internet(ranges):
        report("The API server's authorized ranges cover most of the internet, which is as good as none: "
               "list the ranges of your operators and CI, or make it private.", None)


def covers_most_of_the_internet(ranges: Iterable[str]) -> bool:
    """Whether CIDRs admit half of the IPv4 space or more (`0.0.0.0/0`, or `0.0.0.0/1` with `128.0.0.0/1`).
    Something that is not a CIDR counts as covering nothing: the engine would refuse it."""
    networks = []
    for text in ranges:
        try:
            networks.append(ipaddress.IPv4Network(str(text), strict=False))
        except ValueError:
            continue
    return sum(n.num_addresses for n in ipaddress.collapse_addresses(networks)) >= 2 ** 31


def _cluster_guardrail(rule_id: str, description: str, source: str, production: Level, development: Level,
                       violated: Callable[[Props], bool], message: str) -> None:
    """A guardrail that reads the cluster's inputs and says one thing when they are wrong."""
    @book.guardrail(rule_id, description, source, of=(CLUSTER,), production=production, development=development)
    def check(args: Any, report: Report) -> None:
        if violated(_props(args)):
            report(message, None)


def _network(props: Props) -> Props:
    return props.get("networkProfile") or {}


POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"
KUBENET = "https://learn.microsoft.com/azure/aks/configure-kubenet"
_cluster_guardrail(
    "network-policy-engine-set", "The cluster enforces NetworkPolicies.", POLICIES, "mandatory", "advisory",
    lambda props: _network(props).get("networkPolicy") in (None, "", "none"),
    "No network policy engine: NetworkPolicies would be accepted and ignored. Set networkPolicy to cilium, "
    "calico or azure.")
_cluster_guardrail(
    "no-docker-bridge-cidr", "No dockerBridgeCidr in the network profile.", KUBENET, "mandatory", "mandatory",
    lambda props: "dockerBridgeCidr" in _network(props),
    "dockerBridgeCidr is gone from the AKS API since 2023-04-01; remove it.")
_cluster_guardrail(
    "local-accounts-disabled", "Local cluster accounts are disabled.",
    "https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad", "mandatory", "advisory",
    lambda props: props.get("disableLocalAccounts") is not True,
    "Local accounts are enabled: anyone with the admin kubeconfig bypasses Entra ID. Set disableLocalAccounts true.")


@book.guardrail("zones-in-production", "Cluster pools, firewall and gateway span availability zones.",
                "https://learn.microsoft.com/azure/aks/availability-zones",
                of=(CLUSTER, AGENT_POOL, FIREWALL, APP_GATEWAY), production="mandatory", development="disabled")
def zones_in_production(args: Any, report: Report) -> None:
    """Two zones at least: a list of one zone passes a presence check and survives no zone's outage."""
    props = _props(args)

    def spread(zones: Any) -> bool:
        return len(set(zones or ())) >= 2

    if args.resource_type == CLUSTER:
        for pool in props.get("agentPoolProfiles") or []:
            if not spread(pool.get("availabilityZones")):
                report(f"Node pool {pool.get('name')} spans fewer than two availability zones.", None)
    elif args.resource_type == AGENT_POOL and not spread(props.get("availabilityZones")):
        report(f"Node pool {props.get('agentPoolName', args.name)} spans fewer than two availability zones.", None)
    elif args.resource_type != AGENT_POOL and not spread(props.get("zones")):
        report("Fewer than two availability zones: one zone's outage takes it down.", None)


# Network ------------------------------------------------------------------------------------

@book.guardrail("nsg-on-every-subnet", "Every subnet that accepts one has an NSG.",
                "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview", of=(SUBNET,),
                production="mandatory", development="advisory")
def nsg_on_every_subnet(args: Any, report: Report) -> None:
    props = _props(args)
    name = props.get("subnetName") or props.get("name") or args.name
    if name not in NO_NSG_SUBNETS and not props.get("networkSecurityGroup"):
        report(f"Subnet {name} has no network security group.", None)


@book.guardrail("firewall-threat-intel-deny", "Firewall policies deny known malicious addresses.",
                "https://learn.microsoft.com/azure/firewall/threat-intel", of=(FIREWALL_POLICY,),
                production="mandatory", development="advisory")
def firewall_threat_intel_deny(args: Any, report: Report) -> None:
    mode = _props(args).get("threatIntelMode", "Alert")
    if mode != "Deny":
        report(f"Threat intelligence is {mode}; set Deny to block known malicious addresses.", None)


@book.guardrail("firewall-uses-policy", "Firewalls use a Firewall Policy, not classic rules.",
                "https://learn.microsoft.com/azure/firewall/policy-rule-sets", of=(FIREWALL,),
                production="mandatory", development="advisory")
def firewall_uses_policy(args: Any, report: Report) -> None:
    props = _props(args)
    kinds = ("applicationRuleCollections", "networkRuleCollections", "natRuleCollections")
    classic = [k for k in kinds if props.get(k)]
    if classic or not props.get("firewallPolicy"):
        report("Use a Firewall Policy with rule collection groups instead of classic rules.", None)


@book.guardrail("waf-prevention", "Application gateways run a WAF policy in Prevention mode.",
                "https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview",
                of=(WAF_POLICY, APP_GATEWAY), production="mandatory", development="advisory")
def waf_prevention(args: Any, report: Report) -> None:
    props = _props(args)
    if args.resource_type == WAF_POLICY:
        settings = props.get("policySettings") or {}
        if settings.get("state") != "Enabled" or settings.get("mode") != "Prevention":
            report(f"The WAF is {settings.get('state', 'Disabled')} in {settings.get('mode', 'Detection')} mode; "
                    "enable it in Prevention mode.", None)
    else:
        sku = (props.get("sku") or {}).get("name")
        if sku != "WAF_v2" or not props.get("firewallPolicy"):
            report("The application gateway has no WAF policy: use WAF_v2 with a WebApplicationFirewallPolicy.", None)


@book.guardrail("no-plain-secrets", "No plain secret values in resource inputs.",
                "https://www.pulumi.com/docs/concepts/secrets/",
                production="mandatory", development="mandatory")
def no_plain_secrets(args: Any, report: Report) -> None:
    """Values under a secret's name (password, clientSecret, ...) that are plain strings.

    Under `pulumi preview --policy-pack`, the Python analyzer hands lists over as sequences (not
    `list`), raises on a value that is unknown until the update, and decrypts Pulumi secrets
    before the rule sees them; so the walk reads any sequence, passes over what it cannot read,
    and the message says that a Pulumi secret looks the same to it.
    """
    def walk(value: Any, path: str) -> Iterable[str]:
        if isinstance(value, Mapping):
            for key in list(value.keys()):
                here = f"{path}.{key}" if path else str(key)
                try:
                    item = value[key]
                except Exception:  # an unknown value during preview: nothing to say about it yet
                    continue
                if str(key).lower() in SECRET_KEYS and isinstance(item, str) and item and item != "[secret]":
                    yield here
                else:
                    yield from walk(item, here)
        elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
            for index in range(len(value)):
                try:
                    item = value[index]
                except Exception:  # as above
                    continue
                yield from walk(item, f"{path}[{index}]")
    for path in walk(_props(args), ""):
        report(f"{path} holds a secret's value in plain text; use a managed identity, Key Vault or a Pulumi "
               "secret (the policy analyzer sees Pulumi secrets decrypted: if this one is, mark the value "
               "with pulumi.secret and keep it out of the program's source).", None)


# Kubernetes -----------------------------------------------------------------------------------

@book.guardrail("no-ingress-class-annotation", "Ingresses use ingressClassName, not the deprecated annotation.",
                "https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation", of=(INGRESS,),
                production="mandatory", development="advisory")
def no_ingress_class_annotation(args: Any, report: Report) -> None:
    if "kubernetes.io/ingress.class" in ((_props(args).get("metadata") or {}).get("annotations") or {}):
        report("The kubernetes.io/ingress.class annotation is deprecated; use spec.ingressClassName.", None)


@book.guardrail("ingress-host-and-tls", "Ingresses name their hosts and serve them over TLS.",
                "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls", of=(INGRESS,),
                production="mandatory", development="advisory")
def ingress_host_and_tls(args: Any, report: Report) -> None:
    spec = _props(args).get("spec") or {}
    rules = spec.get("rules") or []
    if not rules or any(not rule.get("host") for rule in rules):
        report("Every Ingress rule needs a host: a hostless rule answers for any name.", None)
    hosts = {rule.get("host") for rule in rules}
    covered = {h for tls in spec.get("tls") or [] for h in tls.get("hosts") or []}
    annotations = (_props(args).get("metadata") or {}).get("annotations") or {}
    # AGIC serves every host of the Ingress with a certificate the gateway holds (from Key Vault).
    if annotations.get(AGIC_SSL_CERTIFICATE):
        return
    if not spec.get("tls") or not hosts <= covered:
        report("The Ingress serves plain HTTP: add tls with a secret for every host, or a certificate the "
               "application gateway holds.", None)


@book.guardrail("gateway-host-and-tls", "Gateways name their hosts and serve each of them over HTTPS.",
                "https://gateway-api.sigs.k8s.io/guides/tls/", of=(GATEWAY,),
                production="mandatory", development="advisory")
def gateway_host_and_tls(args: Any, report: Report) -> None:
    """The Gateway API's counterpart of `ingress-host-and-tls`: a listener without a hostname answers
    for any name, and a host with no HTTPS listener (TLS terminated with a certificate) is plain HTTP."""
    listeners = (_props(args).get("spec") or {}).get("listeners") or []
    if any(not listener.get("hostname") for listener in listeners):
        report("Every Gateway listener needs a hostname: a listener without one answers for any name.", None)
    hosts = {listener.get("hostname") for listener in listeners}
    secured = {listener.get("hostname") for listener in listeners
               if listener.get("protocol") == "HTTPS" and (listener.get("tls") or {}).get("certificateRefs")}
    if not hosts <= secured:
        report("The Gateway serves plain HTTP: add an HTTPS listener with a certificate for every host "
               "(ingresses[].tlsSecret).", None)


@book.guardrail("default-deny-per-app-namespace", "Every namespace that runs apps denies by default.",
                "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
                production="mandatory", development="advisory", of=(DEPLOYMENT, NETWORK_POLICY), whole_stack=True)
def default_deny_per_app_namespace(args: Any, report: Report) -> None:
    namespaces = {((r.props or {}).get("metadata") or {}).get("namespace", "default")
                  for r in args.resources if r.resource_type == DEPLOYMENT}
    covered = set()
    for resource in args.resources:
        if resource.resource_type != NETWORK_POLICY:
            continue
        props = resource.props or {}
        spec = props.get("spec") or {}
        if spec.get("podSelector") in ({}, None) and not spec.get("ingress") and not spec.get("egress") \
                and set(spec.get("policyTypes") or []) == {"Ingress", "Egress"}:
            covered.add((props.get("metadata") or {}).get("namespace", "default"))
    for namespace in sorted(namespaces - covered - set(PLATFORM_NAMESPACES)):
        report(f"Namespace {namespace} runs apps without a default-deny NetworkPolicy for ingress and egress.", None)


RULES: tuple[Rule, ...] = tuple(book.rules)
