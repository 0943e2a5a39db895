"""What the platform itself must reach on the internet, kept as data with its source and date. Pure, no Pulumi.

These become the derived flows of the path model (`aksnet.analysis.paths`) and the firewall rules
that let them through (`aksnet.plan.egress_rules`). A list here is a fact about someone else's
service: each names the page it comes from and the day it was last checked against it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from aksnet.config.lifecycle import Checked
from aksnet.config.stack import RegistrySpec
from aksnet.vocabulary import PLATFORM_IMAGE

AKS_OUTBOUND = "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress"
AKS_OUTBOUND_CHECKED = Checked(AKS_OUTBOUND, datetime.date(2026, 11, 28))
"""The AKS lists below and the Azure Policy add-on's, as read on that page: `make check-dates` fails
when the day is more than 60 days old (a stale list is the most frequent egress complaint,
https://github.com/Azure/AKS/issues/2215)."""

AKS_FQDN_TAG = "AzureKubernetesService"
AKS_TAG_FQDNS = (
    "mcr.microsoft.com", "*.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net", "management.azure.com",
    "login.microsoftonline.com", "packages.microsoft.com", "acs-mirror.azureedge.net", "packages.aks.azure.com",
)
"""What the `AzureKubernetesService` FQDN tag allows on HTTPS, besides the public API server's
`*.hcp.<region>.azmk8s.io` (AKS_OUTBOUND, "Azure Global required FQDN / application rules";
AKS_OUTBOUND_CHECKED). The path model evaluates the tag as this list."""

ALWAYS_ALLOWED_REGISTRIES = ("mcr.microsoft.com",)
"""Registries every AKS cluster reaches anyway: the AzureKubernetesService FQDN tag covers them."""

AKS_REQUIRED_FQDNS = ("mcr.microsoft.com", "management.azure.com", "login.microsoftonline.com",
                      "packages.aks.azure.com", "acs-mirror.azureedge.net")
"""The required endpoints a node reaches on HTTPS (AKS_OUTBOUND): the derived `aks-required` flows."""


@dataclass(frozen=True)
class AddOn:
    name: str
    fqdns: tuple[str, ...]
    checked: Checked


AZURE_POLICY = AddOn("azure-policy", ("data.policy.core.windows.net", "store.policy.core.windows.net",
                                      "dc.services.visualstudio.com"),
                     Checked(f"{AKS_OUTBOUND}#azure-policy", AKS_OUTBOUND_CHECKED.on))
"""The Azure Policy add-on's endpoints, HTTPS."""


@dataclass(frozen=True)
class Registry:
    host: str
    """The host an image reference names (`docker.io` for a bare `redis:7`)."""
    fqdns: tuple[str, ...]
    """What a pull reaches: the registry, its token service and its blob storage."""
    checked: Checked


_REGISTRIES_READ = datetime.date(2026, 11, 28)
REGISTRIES = (
    Registry("docker.io", ("registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com",
                           "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com"),
             Checked("https://docs.docker.com/desktop/setup/allow-list/", _REGISTRIES_READ)),
    Registry("ghcr.io", ("ghcr.io", "pkg-containers.githubusercontent.com"),
             Checked("https://api.github.com/meta (domains.packages)", _REGISTRIES_READ)),
    Registry("mcr.microsoft.com", ("mcr.microsoft.com", "*.data.mcr.microsoft.com"), AKS_OUTBOUND_CHECKED),
    Registry("quay.io", ("quay.io", "cdn01.quay.io", "cdn02.quay.io", "cdn03.quay.io"),
             Checked("https://access.redhat.com/articles/7084334", _REGISTRIES_READ)),
)
"""Public registries and the FQDNs a pull from each reaches. A registry not
listed is reached at its own host only: one that redirects blobs elsewhere needs those FQDNs in
egress.firewall.allowedFqdns."""
BY_HOST = {registry.host: registry for registry in REGISTRIES}


def public_api_server_fqdn(location: str) -> str:
    """A name standing for a public API server's (`<prefix>-<hash>.hcp.<region>.azmk8s.io`, known
    once the cluster exists): what the AKS FQDN tag's `*.hcp.<region>.azmk8s.io` lets through."""
    return f"cluster.hcp.{location}.azmk8s.io"


def resolved_image(image: str, login_server: str | None) -> str:
    """An image as the kubelet pulls it: `platform://shop/api:1.4` names the stack's registry."""
    if image.startswith(PLATFORM_IMAGE) and login_server is not None:
        return f"{login_server}/{image[len(PLATFORM_IMAGE):]}"
    return image


def image_registry(image: str) -> str:
    """The registry host of an image reference, as the container runtime reads it: a first path
    component with a dot or a port, or `localhost`, is a host; anything else is Docker Hub."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first.lower()
    return "docker.io"


def registry_fqdns(host: str) -> tuple[str, ...]:
    registry = BY_HOST.get(host)
    return registry.fqdns if registry is not None else (host,)


def registry_endpoints(registry: RegistrySpec, location: str) -> tuple[str, str]:
    """The platform registry's login server and its dedicated data endpoint in the region: the two
    names its private endpoint answers for (the data endpoint is where the layers come from).
    https://learn.microsoft.com/azure/container-registry/container-registry-dedicated-data-endpoints"""
    return registry.login_server, f"{registry.name.lower()}.{location}.data.azurecr.io"


def checks() -> tuple[Checked, ...]:
    """Every distinct source of the lists above with its check date (`make check-dates`)."""
    return tuple(dict.fromkeys([AKS_OUTBOUND_CHECKED, AZURE_POLICY.checked, *(r.checked for r in REGISTRIES)]))
