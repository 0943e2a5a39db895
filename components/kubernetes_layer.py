"""The Kubernetes layer applied by Pulumi: the stack's objects through the cluster's kubeconfig.

For `kubernetes.delivery: apply`; a GitOps stack's layer is rendered into Git (`tools.render`)
and reconciled by Flux instead (`components.gitops`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from aksnet.plan.gateway_api import ChartRelease
from components.ingress_chart import ControllerChart, ControllerChartArgs, substituted


@dataclass(frozen=True)
class KubernetesLayerArgs:
    objects: Sequence[Mapping[str, Any]]
    """Manifests from `aksnet.plan.manifests.kubernetes_objects`, namespaces first."""
    provider: pulumi.ProviderResource
    chart: ChartRelease | None = None
    """The Gateway API controller's chart, installed before the objects of its API."""
    substitutions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """`${NAME}` in a manifest or the chart's values to what Azure gave (`aksnet.config.ingress_controllers`)."""


class KubernetesLayer(pulumi.ComponentResource):
    """Namespaces, Deployments, Services, Ingresses, NetworkPolicies and custom resources."""

    object_count: int
    """How many objects the layer declares."""

    def __init__(self, name: str, args: KubernetesLayerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:kubernetes:KubernetesLayer", name, None, opts)
        import pulumi_kubernetes as k8s

        classes = {
            "Namespace": k8s.core.v1.Namespace, "Deployment": k8s.apps.v1.Deployment,
            "Service": k8s.core.v1.Service, "Ingress": k8s.networking.v1.Ingress,
            "NetworkPolicy": k8s.networking.v1.NetworkPolicy,
        }
        namespaces: dict[str, pulumi.Resource] = {}
        # The chart brings the Gateway API CRDs and the controller: its API's objects wait for it.
        chart = ControllerChart(f"{name}-controller", ControllerChartArgs(
            args.chart, args.provider, args.substitutions), opts=pulumi.ResourceOptions(parent=self)) \
            if args.chart is not None else None
        for manifest in args.objects:
            kind = manifest["kind"]
            meta = manifest["metadata"]
            if args.substitutions and "annotations" in meta:
                meta = {**meta, "annotations": substituted(dict(meta["annotations"]), args.substitutions)}
            logical = "-".join(p for p in (name, kind.lower(), meta.get("namespace"), meta["name"]) if p)
            waits = [namespaces[meta["namespace"]]] if meta.get("namespace") in namespaces else []
            if chart is not None and manifest["apiVersion"].startswith("gateway.networking.k8s.io/"):
                waits.append(chart)
            options = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=waits)
            body = {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
            if kind in classes:
                resource = classes[kind](logical, opts=options, **body)
            else:
                resource = k8s.apiextensions.CustomResource(
                    logical, api_version=manifest["apiVersion"], kind=kind, metadata=meta,
                    spec=manifest.get("spec"), opts=options)
            if kind == "Namespace":
                namespaces[meta["name"]] = resource
        self.object_count = len(args.objects)
        self.register_outputs({"objectCount": self.object_count})
