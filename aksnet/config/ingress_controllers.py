"""The Gateway API controllers a stack can choose, as data read from their charts and documents. Pure.

Under the mock engine a Helm chart renders nothing (`helm.v3.Release` only records its inputs), so
what the NetworkPolicies and the path model need from a chart (the namespace its pods run in, their
labels, the ports they listen on) is written here once, with the chart version it was read for and
where it was read. Bump a chart: re-read these values at the new tag and change them together.

Why these controllers, and not the others: docs/ingress.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HelmChart:
    """A chart pinned to one version, and where its values were read."""

    repository: str
    """An OCI repository (`oci://...`): Helm pulls the chart `<repository>/<chart>`."""
    chart: str
    version: str
    release_name: str
    release_namespace: str
    values_read_at: str
    """The source of the values below: a tagged file, or the vendor's page."""
    checked: str
    """The day the pin and its values were read (ISO date)."""

    @property
    def reference(self) -> str:
        return f"{self.repository}/{self.chart}"


@dataclass(frozen=True)
class GatewayController:
    """A Gateway API implementation: its chart, its class, and where its proxies' traffic comes from."""

    key: str
    """The stack's `ingress.controller` value."""
    title: str
    chart: HelmChart
    controller_namespace: str
    """Where the chart's controller pods run."""
    controller_labels: Mapping[str, str]
    gateway_class: str
    gateway_api_bundle: str
    """The Gateway API release the controller implements: the CRD schemas its objects are held to."""
    controller_name: str | None = None
    """The GatewayClass's `spec.controllerName`, when the stack declares the class (None: the chart or
    the vendor's controller provides the class)."""
    proxy_namespace: str | None = None
    """Where the data-plane proxies run in the cluster (None: outside the cluster, in Azure)."""
    proxy_labels: Mapping[str, str] = field(default_factory=dict)
    privileged_port_shift: int = 0
    """Added to a listener port below 1024 to give the proxy container's port (0: none)."""
    end_of_life: str | None = None
    """The last day the pinned minor gets fixes, when the project publishes one (ISO date)."""
    end_of_life_source: str | None = None
    image_registry: str = "mcr.microsoft.com"
    """Where the chart and the controller's and proxies' images come from (the firewall must let them in)."""

    def container_port(self, listener_port: int) -> int:
        """The port the proxy's container listens on for a Gateway listener's port."""
        return listener_port + self.privileged_port_shift if listener_port < 1024 else listener_port


# Envoy Gateway: a CNCF Envoy project, conformant Gateway API implementation, from its own chart.
# Chart and install: https://gateway.envoyproxy.io/docs/install/install-helm/
# v1.9 compiles in Gateway API v1.6.1 and supports Kubernetes 1.33 to 1.36, end of life 2027-02-14:
# https://gateway.envoyproxy.io/news/releases/matrix/ (read through the copy of 2026-09-07; v1.9.1 of
# 2026-08-28 is the newest patch this session could date). Values read at the v1.9.0 tag:
# - the controller runs in the release namespace (`eg.namespace` in charts/gateway-helm/templates/_helpers.tpl),
#   labelled `control-plane: envoy-gateway` (templates/envoy-gateway-deployment.yaml);
# - the proxies it creates for a Gateway run in the controller's namespace (the default deploy type),
#   labelled by `EnvoyAppLabel()` (internal/infrastructure/kubernetes/proxy/resource.go);
# - a listener port below 1024 listens on port + 10000 in the container (`servicePortToContainerPort`,
#   `wellKnownPortShift = 10000`, internal/gatewayapi/translator.go), so no capability is needed;
# - the proxies' Service is a LoadBalancer with externalTrafficPolicy Local by default
#   (api/v1alpha1/shared_types.go): the apps see the proxies, the proxies see the client.
# - the controller name of its GatewayClass: `gateway.envoyproxy.io/gatewayclass-controller`
#   (api/v1alpha1/envoygateway_types.go); the chart installs no GatewayClass: the stack declares it.
ENVOY_GATEWAY = GatewayController(
    key="envoyGateway",
    title="Envoy Gateway",
    chart=HelmChart(
        repository="oci://docker.io/envoyproxy", chart="gateway-helm", version="v1.9.1",
        release_name="eg", release_namespace="envoy-gateway-system",
        values_read_at="https://github.com/envoyproxy/gateway/tree/v1.9.0/charts/gateway-helm",
        checked="2026-12-07"),
    controller_namespace="envoy-gateway-system",
    controller_labels={"control-plane": "envoy-gateway"},
    gateway_class="envoy-gateway",
    controller_name="gateway.envoyproxy.io/gatewayclass-controller",
    gateway_api_bundle="v1.6.1",
    proxy_namespace="envoy-gateway-system",
    proxy_labels={"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy",
                  "app.kubernetes.io/managed-by": "envoy-gateway"},
    privileged_port_shift=10000,
    end_of_life="2027-02-14",
    end_of_life_source="https://gateway.envoyproxy.io/news/releases/matrix/",
    image_registry="docker.io",  # docker.io/envoyproxy/gateway and docker.io/envoyproxy/envoy (values.tmpl.yaml)
)

# Application Gateway for Containers' ALB Controller, by Helm with workload identity (the GA path; the
# AKS add-on is in preview). Install, namespaces and the service account the identity federates with:
# https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller-helm
# - the chart goes to the Helm namespace (`default` when none is given), the controller to
#   `albController.namespace` (`azure-alb-system`), its pods labelled `app: alb-controller`, its
#   service account `alb-controller-sa`;
# - newest Helm release 1.12.1, Gateway API v1.5.1, Kubernetes 1.32 and later (the page of 2026-09-08):
#   https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes
# - the GatewayClass `azure-alb-external` comes with the controller; a Gateway names the AGC resource by
#   the `alb.networking.azure.io/alb-id` annotation and its frontend by an address of type
#   `alb.networking.azure.io/alb-frontend` (bring-your-own deployment):
#   https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment
# - the proxies run in Azure, in the association's subnet, and reach the pods directly (also with
#   CNI Overlay, whose routing domain AGC extends to its subnet):
#   https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking
ALB_CONTROLLER = GatewayController(
    key="agc",
    title="Application Gateway for Containers",
    chart=HelmChart(
        repository="oci://mcr.microsoft.com/application-lb/charts", chart="alb-controller", version="1.12.1",
        release_name="alb-controller", release_namespace="default",
        values_read_at="https://learn.microsoft.com/azure/application-gateway/for-containers/"
                       "quickstart-deploy-application-gateway-for-containers-alb-controller-helm",
        checked="2026-12-07"),
    controller_namespace="azure-alb-system",
    controller_labels={"app": "alb-controller"},
    gateway_class="azure-alb-external",
    gateway_api_bundle="v1.5.1",
)

ALB_SERVICE_ACCOUNT = "alb-controller-sa"
ALB_ID_ANNOTATION = "alb.networking.azure.io/alb-id"
ALB_FRONTEND_ADDRESS = "alb.networking.azure.io/alb-frontend"

GATEWAY_CONTROLLERS: Mapping[str, GatewayController] = {c.key: c for c in (ENVOY_GATEWAY, ALB_CONTROLLER)}

# What Flux substitutes in the rendered layer (`postBuild.substitute`), and the program when it applies
# the layer itself: values only Azure knows once the resources exist.
# https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution
AGC_ID_VARIABLE = "AGC_RESOURCE_ID"
ALB_CLIENT_ID_VARIABLE = "ALB_CONTROLLER_CLIENT_ID"


def substitution(variable: str) -> str:
    return "${" + variable + "}"


# AGC's subnet: delegated to the traffic controllers, at least 250 free addresses (a /24), and with
# CNI Overlay exactly a /24; kubenet is not supported.
# https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking
# https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment
AGC_DELEGATION = "Microsoft.ServiceNetworking/trafficControllers"
AGC_SUBNET_PREFIX = 24
AGC_FREE_ADDRESSES = 250

# Preview features of AGC, as Microsoft's pages say on the day checked (`checked` above).
# WAF on AGC: "Application Gateway for Containers + WAF is in PREVIEW."
# https://learn.microsoft.com/azure/application-gateway/for-containers/web-application-firewall
# CNI Overlay with AGC: "Application Gateway for Containers with CNI Overlay is in PREVIEW."
# https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking
AGC_WAF_PREVIEW = "https://learn.microsoft.com/azure/application-gateway/for-containers/web-application-firewall"
AGC_OVERLAY_PREVIEW = "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"
