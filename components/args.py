"""What most components are given first: the environment, their part of the stack's spec, and the
resource group they live in. A component's own arguments extend these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import pulumi

from aksnet.config.stack import Environment

Spec = TypeVar("Spec")


@dataclass(frozen=True)
class SpecArgs(Generic[Spec]):
    environment: Environment
    spec: Spec
    resource_group_name: pulumi.Input[str]


@dataclass(frozen=True)
class PrivateServiceArgs(SpecArgs[Spec]):
    """A service reached only through a private endpoint in the spoke's `endpoints` subnet."""

    endpoint_subnet_id: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    """The service's `privatelink.*` zone: the endpoint's zone group writes its records there."""
