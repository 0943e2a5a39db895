"""Delivery of the Kubernetes layer by GitOps: the AKS Flux extension and a Flux configuration.

The layer's manifests are rendered into the repository (`make render STACK=<stack>`, complete and
the same bytes on every run); Flux, inside the cluster, reconciles that path. Nothing has to
reach a private API server from outside the network.
https://learn.microsoft.com/azure/azure-arc/kubernetes/tutorial-use-gitops-flux2
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import kubernetesconfiguration

from aksnet.config.stack import GitOpsSpec


@dataclass(frozen=True)
class GitOpsDeliveryArgs:
    spec: GitOpsSpec
    cluster_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    substitutions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Variables Flux substitutes in the rendered layer (`${NAME}`): what only Azure knows.
    https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution"""


class GitOpsDelivery(pulumi.ComponentResource):
    """The `microsoft.flux` extension on the cluster, and a Flux configuration of one Git source."""

    configuration_name: pulumi.Output[str]
    """The Flux configuration's name."""

    def __init__(self, name: str, args: GitOpsDeliveryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:kubernetes:GitOpsDelivery", name, None, opts)
        extension = kubernetesconfiguration.Extension(
            f"{name}-flux", extension_name="flux", extension_type="microsoft.flux",
            cluster_rp="Microsoft.ContainerService", cluster_resource_name="managedClusters",
            cluster_name=args.cluster_name, resource_group_name=args.resource_group_name,
            auto_upgrade_minor_version=True, release_train="Stable", opts=pulumi.ResourceOptions(parent=self))
        spec = args.spec
        configuration = kubernetesconfiguration.FluxConfiguration(
            f"{name}-layer", flux_configuration_name="kubernetes-layer", namespace="flux-system", scope="cluster",
            cluster_rp="Microsoft.ContainerService", cluster_resource_name="managedClusters",
            cluster_name=args.cluster_name, resource_group_name=args.resource_group_name,
            source_kind="GitRepository",
            git_repository=kubernetesconfiguration.GitRepositoryDefinitionArgs(
                url=spec.url, repository_ref=kubernetesconfiguration.RepositoryRefDefinitionArgs(branch=spec.branch),
                sync_interval_in_seconds=spec.interval_seconds),
            kustomizations={"layer": kubernetesconfiguration.KustomizationDefinitionArgs(
                path=spec.path, prune=True, sync_interval_in_seconds=spec.interval_seconds,
                post_build=kubernetesconfiguration.PostBuildDefinitionArgs(substitute=dict(args.substitutions))
                if args.substitutions else None)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[extension]))
        self.configuration_name = configuration.name
        self.register_outputs({"configurationName": self.configuration_name})
