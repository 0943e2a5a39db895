"""Images: where the apps' images come from, and the private endpoints of the registry and the Key Vault.
Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.plan.manifests import app_images
from aksnet.plan.outbound import ALWAYS_ALLOWED_REGISTRIES, image_registry
from aksnet.rules.rule import Rule, RuleBook
from aksnet.vocabulary import PLATFORM_IMAGE

book = RuleBook()


ACR_PRIVATE_LINK = "https://learn.microsoft.com/azure/container-registry/container-registry-private-link"


@book.refusal("images-from-known-registries", "Every image comes from the platform registry or a registry the "
              "stack allows.", ACR_PRIVATE_LINK)
def images_from_known_registries(spec: StackConfig) -> Iterator[Problem]:
    """A pull from anywhere else is blocked by the firewall, or unreviewed where nothing blocks it."""
    allowed = set(spec.kubernetes.allowed_registries) | set(ALWAYS_ALLOWED_REGISTRIES)
    for index, (app, image) in enumerate(zip(spec.kubernetes.workloads.apps, app_images(spec), strict=True)):
        key = f"kubernetes.apps[{index}].image"
        if app.image.startswith(PLATFORM_IMAGE) and spec.registry is None:
            yield Problem.at(key, f"{app.image} names the platform registry, but the stack has none; declare "
                             "registry.name, or use the image's full reference")
            continue
        host = image_registry(image)
        if spec.registry is not None and host == spec.registry.login_server:
            continue
        if host not in allowed:
            platform = "push it to the platform registry (platform://...) or " if spec.registry else ""
            yield Problem.at(key, f"{app.image} comes from {host}, which the stack does not allow; {platform}add "
                             f"{host} to kubernetes.allowedRegistries")


@book.refusal("private-endpoints-and-their-subnet", "The registry and the Key Vault, reached by private endpoints, "
              "and the subnet for them go together.", ACR_PRIVATE_LINK)
def private_endpoints_and_their_subnet(spec: StackConfig) -> Iterator[Problem]:
    has_subnet = "endpoints" in spec.network.spoke.subnets
    for key, present in (("registry", spec.registry is not None), ("tls", spec.tls is not None)):
        if present and not has_subnet:
            yield Problem.at(key, "needs a subnet for its private endpoint: network.spoke.subnets.endpoints "
                             "(a /28 is plenty)")
    if has_subnet and spec.registry is None and spec.tls is None:
        yield Problem.at("network.spoke.subnets.endpoints", "is declared but nothing uses it; declare registry or "
                         "tls, or remove the subnet")
    for registry in spec.kubernetes.allowed_registries:
        if spec.registry is not None and registry == spec.registry.login_server:
            yield Problem.at("kubernetes.allowedRegistries", f"lists {registry}, the platform registry, which the "
                             "cluster reaches privately; remove it")


RULES: tuple[Rule, ...] = tuple(book.rules)
