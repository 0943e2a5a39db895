"""Every Kubernetes object the stack declares, as manifests. Pure, no Pulumi.

Deployments run with a restricted security context (non-root, no privilege escalation, no
capabilities, read-only root filesystem with a writable /tmp, RuntimeDefault seccomp) and
TCP probes on their first port. Services of type InternalLoadBalancer are LoadBalancers with
the internal annotations: https://learn.microsoft.com/azure/aks/internal-lb
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from aksnet.config.stack import StackConfig
from aksnet.config.workloads import App, Endpoint, Flow, PortRange
from aksnet.plan.gateway_api import (
    chart_release,
    controller_source,
    flux_chart_objects,
    gateway_controller,
    gateway_objects,
)
from aksnet.plan.naming import subnet_name
from aksnet.plan.netpol import IngressController, compile_policies
from aksnet.plan.outbound import ALWAYS_ALLOWED_REGISTRIES, image_registry, resolved_image
from aksnet.vocabulary import (
    AGIC_INGRESS_CLASS,
    AGIC_SSL_CERTIFICATE,
    AGIC_SSL_REDIRECT,
    APP_ROUTING_INGRESS_CLASS,
    APP_ROUTING_NAMESPACE,
)
from aksnet.vocabulary import INTERNAL_LB_ANNOTATION as INTERNAL
from aksnet.vocabulary import INTERNAL_LB_SUBNET_ANNOTATION as INTERNAL_SUBNET
from aksnet.vocabulary import LB_IPV4_ANNOTATION as STATIC_IPV4

STATIC_NGINX_CLASS = "nginx-internal"


def ingress_class(spec: StackConfig) -> str | None:
    ingress = spec.ingress
    if ingress.controller == "appgw":
        return AGIC_INGRESS_CLASS
    if ingress.controller == "nginx":
        return STATIC_NGINX_CLASS if ingress.nginx and ingress.nginx.static_ip else APP_ROUTING_INGRESS_CLASS
    return None


def ingress_controller(spec: StackConfig) -> IngressController | None:
    """Where the controller's traffic to backends comes from."""
    if spec.ingress.controller == "appgw":
        return IngressController(cidr=spec.network.spoke.subnets.get("appgw"))
    if spec.ingress.controller == "nginx":
        return IngressController(namespace=APP_ROUTING_NAMESPACE)
    return controller_source(spec)


def _internal_annotations(static_ip: ipaddress.IPv4Address | None) -> dict[str, str]:
    annotations = {INTERNAL: "true", INTERNAL_SUBNET: subnet_name("ilb")}
    if static_ip is not None:
        annotations[STATIC_IPV4] = str(static_ip)
    return annotations


def app_images(spec: StackConfig) -> list[str]:
    """Each app's image as the kubelet pulls it (the platform registry's short form resolved)."""
    server = spec.registry.login_server if spec.registry is not None else None
    return [resolved_image(app.image, server) for app in spec.kubernetes.workloads.apps]


def pulled_registries(spec: StackConfig) -> list[tuple[str, int]]:
    """(registry host, index of the first app pulling from it) for each registry the apps pull from
    through the firewall: not the platform's (reached by its private endpoint), not those the AKS
    FQDN tag already allows."""
    private = {spec.registry.login_server} if spec.registry is not None else set()
    first: dict[str, int] = {}
    for index, image in enumerate(app_images(spec)):
        host = image_registry(image)
        if host not in private and host not in ALWAYS_ALLOWED_REGISTRIES:
            first.setdefault(host, index)
    return sorted(first.items())


def controller_registries(spec: StackConfig) -> tuple[str, ...]:
    """The registry a Gateway API controller's chart and images come from, when the firewall must let
    it in and no app's pull already does."""
    controller = gateway_controller(spec)
    if controller is None or controller.image_registry in ALWAYS_ALLOWED_REGISTRIES:
        return ()
    if controller.image_registry in {host for host, _ in pulled_registries(spec)}:
        return ()
    return (controller.image_registry,)


def _deployment(app: App, image: str) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": app.name, "image": image, "imagePullPolicy": "Always",
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "runAsNonRoot": True, "runAsUser": 10001, "capabilities": {"drop": ["ALL"]}},
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "volumeMounts": [{"name": f"writable-{i}", "mountPath": path} for i, path in enumerate(app.writable_paths)],
    }
    if app.ports:
        # Two Service ports may target one container port; the container lists it once, since the API
        # server keys a container's ports by containerPort and protocol (x-kubernetes-list-map-keys).
        declared = {(p.container_port, p.protocol): p for p in reversed(app.ports)}
        container["ports"] = [{**({"name": p.name} if p.name else {}), "containerPort": p.container_port,
                               "protocol": p.protocol} for p in app.ports
                              if declared[(p.container_port, p.protocol)] is p]
        probe_port = app.ports[0]
        tcp = {"tcpSocket": {"port": probe_port.container_port}, "periodSeconds": 10} \
            if probe_port.protocol == "TCP" else None
        # AGIC builds the gateway's health probe from an httpGet readiness (or liveness) probe.
        # https://learn.microsoft.com/azure/application-gateway/ingress-controller-add-health-probes
        for key, probe in (("readinessProbe", app.readiness), ("livenessProbe", app.liveness)):
            check = {"httpGet": {"path": probe.path, "port": probe.port}, "periodSeconds": 10} if probe else tcp
            if check is not None:
                container[key] = {**check, "initialDelaySeconds": 10} if key == "livenessProbe" else check
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": app.name, "namespace": app.namespace, "labels": dict(app.labels)},
            "spec": {"replicas": app.replicas, "selector": {"matchLabels": dict(app.labels)},
                     "template": {"metadata": {"labels": dict(app.labels)},
                                  "spec": {"automountServiceAccountToken": False,
                                           "securityContext": {"runAsNonRoot": True, "runAsUser": 10001,
                                                               "runAsGroup": 10001, "fsGroup": 10001,
                                                               "seccompProfile": {"type": "RuntimeDefault"}},
                                           "containers": [container],
                                           "volumes": [{"name": f"writable-{i}", "emptyDir": {}}
                                                       for i in range(len(app.writable_paths))]}}}}


def _service(app: App) -> dict[str, Any] | None:
    if app.service_type == "None":
        return None
    internal = app.service_type == "InternalLoadBalancer"
    metadata: dict[str, Any] = {"name": app.name, "namespace": app.namespace, "labels": dict(app.labels)}
    if internal:
        metadata["annotations"] = _internal_annotations(app.static_ip)
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata,
            "spec": {"type": "ClusterIP" if app.service_type == "ClusterIP" else "LoadBalancer",
                     "selector": dict(app.labels),
                     "ports": [{"name": p.name or f"{p.protocol.lower()}-{p.port}", "port": p.port,
                                "targetPort": p.container_port, "protocol": p.protocol} for p in app.ports]}}


def object_key(manifest: Mapping[str, Any]) -> str:
    """`<kind>-<namespace>-<name>`: what names a Kubernetes object among the stack's resources."""
    meta = manifest["metadata"]
    return "-".join(part for part in (manifest["kind"].lower(), meta.get("namespace"), meta["name"]) if part)


def kubernetes_objects(spec: StackConfig) -> list[dict[str, Any]]:
    """Namespaces first, then workloads, services, ingresses and policies."""
    return [manifest for _, manifest in declared_objects(spec)]


def declared_objects(spec: StackConfig) -> list[tuple[str, dict[str, Any]]]:
    """Every Kubernetes object of the stack with the key that declares it (`kubernetes.apps[0]`)."""
    workloads = spec.kubernetes.workloads
    objects: list[tuple[str, dict[str, Any]]] = [
        (f"kubernetes.namespaces[{index}]",
         {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": dict(labels)}})
        for index, (name, labels) in enumerate(workloads.namespaces.items())]
    nginx = spec.ingress.nginx
    if spec.ingress.controller == "nginx" and nginx is not None and nginx.static_ip is not None:
        # The app routing add-on's controller on a fixed internal address (the default one is off).
        # https://learn.microsoft.com/azure/aks/app-routing-nginx-configuration
        objects.append(("ingress.nginx.staticIp", {
            "apiVersion": "approuting.kubernetes.azure.com/v1alpha1", "kind": "NginxIngressController",
            "metadata": {"name": STATIC_NGINX_CLASS},
            "spec": {"ingressClassName": STATIC_NGINX_CLASS, "controllerNamePrefix": STATIC_NGINX_CLASS,
                     "loadBalancerAnnotations": _internal_annotations(nginx.static_ip)}}))
    for index, (app, image) in enumerate(zip(workloads.apps, app_images(spec), strict=True)):
        objects.append((f"kubernetes.apps[{index}]", _deployment(app, image)))
        service = _service(app)
        if service is not None:
            objects.append((f"kubernetes.apps[{index}]", service))
    ingress_class_name = ingress_class(spec)
    release = chart_release(spec)
    if release is not None and spec.kubernetes.delivery == "gitops":
        # Under GitOps the controller's chart is part of the rendered layer, as Flux objects.
        objects += [("ingress.controller", manifest) for manifest in flux_chart_objects(release)]
    objects += gateway_objects(spec)
    # A Gateway API controller serves the ingresses as Gateways and HTTPRoutes, the others as Ingresses.
    for index, route in enumerate(workloads.ingresses if gateway_controller(spec) is None else ()):
        ingress_spec: dict[str, Any] = {
            "ingressClassName": ingress_class_name,
            "rules": [{"host": route.host, "http": {"paths": [
                {"path": entry.path, "pathType": "Prefix",
                 "backend": {"service": {"name": entry.app, "port": {"number": entry.port}}}}
                for entry in route.paths]}}]}
        metadata: dict[str, Any] = {"name": route.name, "namespace": route.namespace}
        if route.tls_secret and spec.ingress.controller == "appgw":
            # The certificate the gateway already holds from Key Vault, and HTTP redirected to HTTPS.
            # https://azure.github.io/application-gateway-kubernetes-ingress/annotations/
            # Other controllers get no `tls` block: the stack is refused before (ingress_tls_has_a_certificate).
            metadata["annotations"] = {AGIC_SSL_CERTIFICATE: route.tls_secret, AGIC_SSL_REDIRECT: "true"}
        objects.append((f"kubernetes.ingresses[{index}]", {
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": ingress_spec}))
    objects += compile_policies(workloads, ingress_controller(spec), published_flows(spec))
    return objects


def published_flows(spec: StackConfig) -> list[tuple[str, Flow]]:
    """A flow from the firewall to each app a DNAT rule publishes: Azure Firewall sends DNAT traffic
    from its own private address (https://learn.microsoft.com/azure/firewall/firewall-faq), so the
    app's NetworkPolicy admits the firewall's subnet on the translated port."""
    firewall, subnet = spec.egress.firewall, spec.network.subnet("AzureFirewallSubnet")
    if firewall is None or subnet is None:
        return []
    flows = []
    for index, rule in enumerate(firewall.dnat_rules):
        app = next((a for a in spec.kubernetes.workloads.apps if a.static_ip == rule.translated_address), None)
        if app is not None:
            flows.append((f"egress.firewall.dnatRules[{index}]", Flow(
                name=f"dnat-{rule.name}", source=Endpoint(cidr=subnet),
                destination=Endpoint(app=app.name, namespace=app.namespace),
                ports=(PortRange(rule.protocol, rule.translated_port),))))
    return flows
