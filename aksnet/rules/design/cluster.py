"""The cluster and its Kubernetes layer: platform namespaces, unique objects, zones in the region,
Kubernetes versions and upgrades, and who may apply the layer. Pure, no Pulumi."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from aksnet.config.environment import zones_refusal
from aksnet.config.kubernetes_versions import CHECKED as VERSIONS_CHECKED
from aksnet.config.kubernetes_versions import MINORS, WARN_DAYS, creatable
from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.plan.manifests import declared_objects, object_key
from aksnet.rules.rule import Rule, RuleBook
from aksnet.vocabulary import PLATFORM_NAMESPACES

book = RuleBook()


@book.refusal("no-platform-namespaces", "The stack manages no platform namespace and puts nothing in one.",
              "https://learn.microsoft.com/azure/aks/concepts-clusters-workloads#namespaces")
def no_platform_namespaces(spec: StackConfig) -> Iterator[Problem]:
    workloads = spec.kubernetes.workloads
    owned = {"kube-system": "cluster DNS and the CNI", "app-routing-system": "the nginx add-on",
             "envoy-gateway-system": "Envoy Gateway", "azure-alb-system": "the ALB Controller",
             "gatekeeper-system": "the Azure Policy add-on", "flux-system": "the GitOps extension"}

    def problem(path: str, namespace: str) -> Problem:
        what = owned.get(namespace, "Kubernetes, AKS or an add-on")
        return Problem.at(path, f"'{namespace}' is a platform namespace ({what} run there); the stack must not "
                          "manage it or put apps, Ingresses or policies in it: use a namespace of your own")
    for index, name in enumerate(workloads.namespaces):
        if name in PLATFORM_NAMESPACES:
            yield problem(f"kubernetes.namespaces[{index}].name", name)
    placed = [("apps", [a.namespace for a in workloads.apps]),
              ("ingresses", [i.namespace for i in workloads.ingresses]),
              ("policies", [p.namespace for p in workloads.policies])]
    for key, namespaces in placed:
        for index, namespace in enumerate(namespaces):
            if namespace in PLATFORM_NAMESPACES:
                yield problem(f"kubernetes.{key}[{index}].namespace", namespace)


@book.refusal("unique-kubernetes-objects", "No two Kubernetes objects of the stack share a kind and name.",
              "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/", over_plan=True)
def unique_kubernetes_objects(spec: StackConfig) -> Iterator[Problem]:
    first: dict[tuple[str, str], str] = {}
    for origin, manifest in declared_objects(spec):
        key = (manifest["apiVersion"], object_key(manifest))
        meta = manifest["metadata"]
        name = "/".join(part for part in (meta.get("namespace"), meta["name"]) if part)
        if key in first and first[key] != origin:
            yield Problem.at(origin, f"declares {manifest['kind']} {name}, which {first[key]} declares too; "
                             "give one of them another name")
        elif key in first:
            yield Problem.at(origin, f"declares {manifest['kind']} {name} twice; give its parts distinct names")
        first.setdefault(key, origin)


@book.refusal("zones-need-a-zonal-region", "Availability zones only in a region that has them.",
              "https://learn.microsoft.com/azure/reliability/regions-list")
def zones_need_a_zonal_region(spec: StackConfig) -> Iterator[Problem]:
    refusal = zones_refusal(spec.environment.location)
    if refusal is None:
        return
    zoned = [(f"cluster.nodePools[{index}].zones", pool.zones) for index, pool in enumerate(spec.cluster.node_pools)]
    if spec.egress.firewall is not None:
        zoned.append(("egress.firewall.zones", spec.egress.firewall.zones))
    if spec.ingress.app_gateway is not None:
        zoned.append(("ingress.appGateway.zones", spec.ingress.app_gateway.zones))
    for path, zones in zoned:
        if zones:
            yield Problem.at(path, refusal)


VERSIONS = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"


@book.dated_refusal("kubernetes-version-creatable", "A Kubernetes minor AKS creates clusters of today.", VERSIONS)
def kubernetes_version_creatable(spec: StackConfig, today: datetime.date) -> Iterator[Problem]:
    version = spec.cluster.kubernetes_version
    if version is None:
        return
    minor = ".".join(version.split(".")[:2])
    life = MINORS.get(minor)
    now = ", ".join(creatable(today)) or "none in the table"
    if life is None:
        yield Problem.at("cluster.kubernetesVersion", f"{minor} is not a minor AKS offers (the table of "
                         f"{VERSIONS_CHECKED}, aksnet/config/kubernetes_versions.py, knows {', '.join(MINORS)}); "
                         f"AKS creates {now} today")
    elif today >= life.end_of_life:
        yield Problem.at("cluster.kubernetesVersion", f"{minor} left AKS support in {life.end_of_life:%Y-%m} and no "
                         f"cluster of it can be created; use one AKS creates today: {now}")
    elif today < life.ga:
        yield Problem.at("cluster.kubernetesVersion", f"{minor} is not generally available on AKS before "
                         f"{life.ga:%Y-%m}; use one AKS creates today: {now}")


@book.dated_refusal("kubernetes-version-ending-soon", "The Kubernetes minor has two months of support left, or more.",
                    VERSIONS, production="advisory", development="advisory")
def kubernetes_version_ending_soon(spec: StackConfig, today: datetime.date) -> Iterator[Problem]:
    version = spec.cluster.kubernetes_version
    life = MINORS.get(".".join(version.split(".")[:2])) if version else None
    if life is not None and today < life.end_of_life <= today + datetime.timedelta(days=WARN_DAYS):
        yield Problem.at("cluster.kubernetesVersion", f"{version} leaves AKS support in {life.end_of_life:%Y-%m}, "
                         f"within {WARN_DAYS} days: plan the upgrade")


KEEPS_THE_VERSION = ("none", "node-image")
"""Cluster auto-upgrade channels that never move the Kubernetes version: none keeps it, node-image
upgrades the nodes' image only (auto-upgrade-cluster; the REST API's UpgradeChannel)."""


@book.refusal("patch-pin-without-patch-upgrades", "A pinned patch version and automatic patch upgrades exclude "
              "each other.", "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster")
def patch_pin_without_patch_upgrades(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.kubernetes_version and c.kubernetes_version.count(".") == 2 and c.upgrade_channel not in KEEPS_THE_VERSION:
        yield Problem.at("cluster.kubernetesVersion", f"pins the patch {c.kubernetes_version} while upgradeChannel "
                         f"{c.upgrade_channel} moves it: after AKS patches the cluster, the next update would ask for "
                         "a downgrade; give the minor alone, or set upgradeChannel none or node-image")


@book.refusal("someone-may-apply-the-layer", "When Pulumi applies the Kubernetes layer, its principal may.",
              "https://learn.microsoft.com/azure/aks/manage-azure-rbac")
def someone_may_apply_the_layer(spec: StackConfig) -> Iterator[Problem]:
    c, entra = spec.cluster, spec.cluster.entra_id
    if spec.kubernetes.mode == "apply" and entra is not None and entra.azure_rbac and not c.local_accounts \
            and entra.grant_deployer is False:
        yield Problem.at("cluster.entraId.grantDeployer", "is false while Pulumi applies the Kubernetes layer "
                         "(kubernetes.delivery apply) with Azure RBAC and no local accounts: the principal running "
                         "it would hold no role on the cluster; grant it, or deliver the layer by gitops")


RULES: tuple[Rule, ...] = tuple(book.rules)
