"""The stack's ingresses as Gateway API objects, and the controller's chart. Pure, no Pulumi.

One ingress of the stack becomes one `Gateway` (its own listeners and address) and one `HTTPRoute`
in the ingress's namespace (gateway.networking.k8s.io/v1, the standard channel). With a TLS secret
the Gateway listens on 443 with that certificate and on 80 only to redirect to HTTPS, as the stack's
Ingresses do on AGIC. https://gateway-api.sigs.k8s.io/guides/http-redirect-rewrite/
The controllers and what is known of their charts: `aksnet.config.ingress_controllers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aksnet.config.ingress_controllers import (
    AGC_ID_VARIABLE,
    ALB_CLIENT_ID_VARIABLE,
    ALB_FRONTEND_ADDRESS,
    ALB_ID_ANNOTATION,
    GATEWAY_CONTROLLERS,
    GatewayController,
    substitution,
)
from aksnet.config.stack import StackConfig
from aksnet.config.workloads import IngressRoute
from aksnet.plan.netpol import IngressController

GATEWAY_API = "gateway.networking.k8s.io/v1"


def gateway_controller(spec: StackConfig) -> GatewayController | None:
    return GATEWAY_CONTROLLERS.get(spec.ingress.controller)


def agc_frontend_name(route: IngressRoute) -> str:
    """The AGC frontend a Gateway takes its address from: one per ingress (a frontend serves one Gateway)."""
    return f"fe-{route.name}"


def controller_source(spec: StackConfig) -> IngressController | None:
    """Where a Gateway API controller's traffic to the apps comes from: Envoy's proxies (their
    namespace and labels), or AGC's subnet, whose proxies reach the pods directly."""
    controller = gateway_controller(spec)
    if controller is None:
        return None
    if controller.proxy_namespace is None:
        return IngressController(cidr=spec.network.spoke.subnets.get("agc"))
    return IngressController(namespace=controller.proxy_namespace, pod_labels=tuple(controller.proxy_labels.items()))


def _gateway(controller: GatewayController, route: IngressRoute) -> dict[str, Any]:
    same = {"namespaces": {"from": "Same"}}
    listeners: list[dict[str, Any]] = [{"name": "http", "protocol": "HTTP", "port": 80, "hostname": route.host,
                                        "allowedRoutes": same}]
    if route.tls_secret:
        listeners.append({"name": "https", "protocol": "HTTPS", "port": 443, "hostname": route.host,
                          "tls": {"mode": "Terminate",
                                  "certificateRefs": [{"kind": "Secret", "name": route.tls_secret}]},
                          "allowedRoutes": same})
    metadata: dict[str, Any] = {"name": route.name, "namespace": route.namespace}
    spec: dict[str, Any] = {"gatewayClassName": controller.gateway_class, "listeners": listeners}
    if controller.key == "agc":
        # Bring-your-own AGC: the resource by id, the frontend by name.
        # https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment
        metadata["annotations"] = {ALB_ID_ANNOTATION: substitution(AGC_ID_VARIABLE)}
        spec["addresses"] = [{"type": ALB_FRONTEND_ADDRESS, "value": agc_frontend_name(route)}]
    return {"apiVersion": GATEWAY_API, "kind": "Gateway", "metadata": metadata, "spec": spec}


def _routes(route: IngressRoute) -> list[dict[str, Any]]:
    served = "https" if route.tls_secret else "http"
    parent = {"name": route.name, "sectionName": served}
    rules = [{"matches": [{"path": {"type": "PathPrefix", "value": entry.path}}],
              "backendRefs": [{"name": entry.app, "port": entry.port}]} for entry in route.paths]
    routes = [{"apiVersion": GATEWAY_API, "kind": "HTTPRoute",
               "metadata": {"name": route.name, "namespace": route.namespace},
               "spec": {"parentRefs": [parent], "hostnames": [route.host], "rules": rules}}]
    if route.tls_secret:
        routes.append({"apiVersion": GATEWAY_API, "kind": "HTTPRoute",
                       "metadata": {"name": f"{route.name}-redirect", "namespace": route.namespace},
                       "spec": {"parentRefs": [{"name": route.name, "sectionName": "http"}],
                                "hostnames": [route.host],
                                "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": {
                                    "scheme": "https", "statusCode": 301}}]}]}})
    return routes


def gateway_objects(spec: StackConfig) -> list[tuple[str, dict[str, Any]]]:
    """The GatewayClass (when the stack declares it), and a Gateway and its routes per ingress."""
    controller = gateway_controller(spec)
    if controller is None:
        return []
    objects: list[tuple[str, dict[str, Any]]] = []
    if controller.controller_name is not None:
        objects.append(("ingress.controller", {
            "apiVersion": GATEWAY_API, "kind": "GatewayClass", "metadata": {"name": controller.gateway_class},
            "spec": {"controllerName": controller.controller_name}}))
    agc = spec.ingress.agc
    for index, route in enumerate(spec.kubernetes.workloads.ingresses):
        key = f"kubernetes.ingresses[{index}]"
        objects.append((key, _gateway(controller, route)))
        objects += [(key, r) for r in _routes(route)]
        if controller.key == "agc" and agc is not None and agc.waf_policy_id is not None:
            # https://learn.microsoft.com/azure/application-gateway/for-containers/web-application-firewall
            objects.append(("ingress.agc.wafPolicyId", {
                "apiVersion": "alb.networking.azure.io/v1", "kind": "WebApplicationFirewallPolicy",
                "metadata": {"name": f"{route.name}-waf", "namespace": route.namespace},
                "spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": route.name,
                                       "namespace": route.namespace},
                         "webApplicationFirewall": {"id": agc.waf_policy_id}}}))
    return objects


@dataclass(frozen=True)
class ChartRelease:
    """A Helm release of a controller's pinned chart, with the values the stack gives it."""

    controller: GatewayController
    values: Mapping[str, Any]
    """Values; `${VARIABLE}` stands for what only Azure knows (substituted at delivery)."""


def chart_release(spec: StackConfig) -> ChartRelease | None:
    controller = gateway_controller(spec)
    if controller is None:
        return None
    if controller.key == "agc":
        # Workload identity: the controller's service account federates with the identity whose client
        # id it is given. https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller-helm
        values: dict[str, Any] = {"albController": {"namespace": controller.controller_namespace,
                                                    "podIdentity": {"clientID": substitution(ALB_CLIENT_ID_VARIABLE)}}}
    else:
        values = {}
    return ChartRelease(controller, values)


FLUX_NAMESPACE = "flux-system"


def flux_chart_objects(release: ChartRelease) -> list[dict[str, Any]]:
    """The chart as Flux installs it in the rendered layer: an OCI HelmRepository and a HelmRelease.
    CRDs are created on install and replaced on upgrade (Helm alone never upgrades them).
    https://fluxcd.io/flux/components/source/helmrepositories/#helm-oci-repository
    https://fluxcd.io/flux/components/helm/helmreleases/#crds"""
    chart = release.controller.chart
    source = f"{chart.release_name}-charts"
    helm_release: dict[str, Any] = {
        "interval": "10m", "releaseName": chart.release_name, "targetNamespace": chart.release_namespace,
        "chart": {"spec": {"chart": chart.chart, "version": chart.version,
                           "sourceRef": {"kind": "HelmRepository", "name": source, "namespace": FLUX_NAMESPACE}}},
        "install": {"createNamespace": True, "crds": "Create"}, "upgrade": {"crds": "CreateReplace"}}
    if release.values:
        helm_release["values"] = dict(release.values)
    return [
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
         "metadata": {"name": source, "namespace": FLUX_NAMESPACE},
         "spec": {"type": "oci", "url": chart.repository, "interval": "1h"}},
        {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
         "metadata": {"name": chart.release_name, "namespace": FLUX_NAMESPACE}, "spec": helm_release},
    ]
