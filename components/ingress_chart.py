"""A Gateway API controller's pinned Helm chart, installed by Pulumi (`kubernetes.delivery: apply`).

Under GitOps the same chart is a Flux HelmRelease of the rendered layer instead
(`aksnet.plan.gateway_api.flux_chart_objects`). Values that only Azure knows (an identity's client
id) stand in the plan as `${VARIABLE}` and are substituted here, as Flux's post-build substitution
does for the rendered layer: https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from aksnet.plan.gateway_api import ChartRelease


def substituted(value: Any, substitutions: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[Any]:
    """`value` with every `${NAME}` of `substitutions` replaced by its (eventual) value."""
    names = sorted(substitutions)

    def replace(resolved: list[str]) -> Any:
        table = {"${" + name + "}": text for name, text in zip(names, resolved, strict=True)}

        def walk(item: Any) -> Any:
            if isinstance(item, Mapping):
                return {k: walk(v) for k, v in item.items()}
            if isinstance(item, list):
                return [walk(v) for v in item]
            if isinstance(item, str):
                for variable, text in table.items():
                    item = item.replace(variable, text)
            return item
        return walk(value)
    return pulumi.Output.all(*[substitutions[name] for name in names]).apply(replace)


@dataclass(frozen=True)
class ControllerChartArgs:
    release: ChartRelease
    provider: pulumi.ProviderResource
    substitutions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


class ControllerChart(pulumi.ComponentResource):
    """The controller's chart as one Helm release, at the pinned version, CRDs included."""

    status: pulumi.Output[Any]
    """The release's status as Helm reports it."""

    def __init__(self, name: str, args: ControllerChartArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:kubernetes:ControllerChart", name, None, opts)
        from pulumi_kubernetes.helm.v3 import Release

        chart = args.release.controller.chart
        # An OCI chart is named by its full reference; the version pins it (no floating tag).
        # https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/
        release = Release(
            f"{name}-release", name=chart.release_name, chart=chart.reference, version=chart.version,
            namespace=chart.release_namespace, create_namespace=True,
            values=substituted(dict(args.release.values), args.substitutions),
            atomic=True,
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider))
        self.status = release.status
        self.register_outputs({"status": self.status})
