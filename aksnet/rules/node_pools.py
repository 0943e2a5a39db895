"""Node pools against the VM sizes Azure has and what AKS asks of them: one rule each, pure.

The sizes are `aksnet.config.vm_sizes`' catalog, from Microsoft's size pages; each rule cites the
page that states its limit.
"""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.config.vm_sizes import families, lookup, nearest
from aksnet.rules.rule import Rule, RuleBook

SIZES = "https://learn.microsoft.com/azure/virtual-machines/sizes/overview"
SYSTEM_POOLS = "https://learn.microsoft.com/azure/aks/use-system-pools#system-and-user-node-pools"
EPHEMERAL_OS = "https://learn.microsoft.com/azure/aks/concepts-storage#ephemeral-os-disk"

SYSTEM_POOL_MIN_VCPUS = 4
SYSTEM_POOL_MIN_MEMORY_GB = 4
""""System node pools require a VM SKU of at least 4 vCPUs and 4 GB of memory" (use-system-pools,
ms.date 2026-04-30; the page said 2 vCPUs before)."""

book = RuleBook()


@book.refusal("vm-size-exists", "Every pool's VM size is in the project's catalog of Azure VM sizes.", SIZES)
def vm_size_exists(spec: StackConfig) -> Iterator[Problem]:
    """A size that does not exist fails only when AKS creates the pool, half-way through `pulumi up`. The catalog
    holds the series added from Microsoft's size pages, not every Azure size: a size outside it may well exist,
    and the message says so and how to add it."""
    for index, pool in enumerate(spec.cluster.node_pools):
        if lookup(pool.vm_size) is not None:
            continue
        guess = nearest(pool.vm_size)
        hint = f"did you mean {guess}?" if guess else f"choose a size of the families {', '.join(families())}"
        yield Problem.at(f"cluster.nodePools[{index}].vmSize", f"{pool.vm_size} is not in this project's VM size "
                         "catalog (aksnet/config/data/vm_sizes.json); if it is an Azure size, add its series to that "
                         f"file from its Microsoft size page (docs/validation.md); {hint}")


@book.refusal("system-pool-vm-minimum", "A System pool's VM size has at least 4 vCPUs and 4 GB of memory and is "
              "not a B-series size.", SYSTEM_POOLS)
def system_pool_vm_minimum(spec: StackConfig) -> Iterator[Problem]:
    for index, pool in enumerate(spec.cluster.node_pools):
        size = lookup(pool.vm_size)
        if pool.mode != "System" or size is None:
            continue
        key = f"cluster.nodePools[{index}].vmSize"
        if size.family.startswith("B"):
            yield Problem.at(key, f"{size.name} is a B-series size, which AKS does not support for System pools; "
                             "use a D-series size such as Standard_D4ds_v5")
        elif size.vcpus < SYSTEM_POOL_MIN_VCPUS or size.memory_gb < SYSTEM_POOL_MIN_MEMORY_GB:
            yield Problem.at(key, f"{size.name} has {size.vcpus} vCPUs and {size.memory_gb:g} GB; a System pool needs "
                             f"at least {SYSTEM_POOL_MIN_VCPUS} vCPUs and {SYSTEM_POOL_MIN_MEMORY_GB} GB, such as "
                             "Standard_D4ds_v5")


@book.refusal("ephemeral-os-disk-needs-a-size-that-has-it", "An ephemeral OS disk only on a size whose series "
              "supports it.", EPHEMERAL_OS)
def ephemeral_os_disk_needs_a_size_that_has_it(spec: StackConfig) -> Iterator[Problem]:
    """The ephemeral OS disk lives on the VM's cache or temporary disk: a series without one (the size
    page's "Ephemeral OS Disk: Not Supported") cannot hold it, and AKS refuses the pool."""
    for index, pool in enumerate(spec.cluster.node_pools):
        size = lookup(pool.vm_size)
        if pool.os_disk_type != "Ephemeral" or size is None or size.ephemeral_os_disk:
            continue
        yield Problem.at(f"cluster.nodePools[{index}].osDiskType", f"Ephemeral needs a size whose series supports "
                         f"ephemeral OS disks; {size.family} does not ({size.source}): set Managed, or choose a size "
                         "with a local disk such as Standard_D4ds_v5")


EPHEMERAL_SIZE = "https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks#size-requirements"


@book.refusal("ephemeral-os-disk-fits-the-local-disk", "An ephemeral OS disk of a given size fits the VM's "
              "temporary disk.", EPHEMERAL_SIZE)
def ephemeral_os_disk_fits_the_local_disk(spec: StackConfig) -> Iterator[Problem]:
    """The ephemeral OS disk is placed on the VM's cache or temporary disk and must fit there; the
    catalog's pages give the temporary disk, which is where v5 and later sizes place it."""
    for index, pool in enumerate(spec.cluster.node_pools):
        size = lookup(pool.vm_size)
        if pool.os_disk_type != "Ephemeral" or pool.os_disk_size_gb is None or size is None \
                or not size.ephemeral_os_disk or size.temp_disk_gib is None:
            continue
        if pool.os_disk_size_gb > size.temp_disk_gib:
            yield Problem.at(f"cluster.nodePools[{index}].osDiskSizeGB", f"is {pool.os_disk_size_gb}, larger than "
                             f"the {size.temp_disk_gib} GiB temporary disk of {size.name} that an ephemeral OS disk "
                             f"lives on; give at most {size.temp_disk_gib}, or a larger size")


RULES: tuple[Rule, ...] = tuple(book.rules)
