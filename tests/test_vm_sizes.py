"""The VM size catalog and the node pool rules over it, each both ways at its boundary.

Expected values come from Microsoft's size pages (the Ddsv5, Dsv5 and Dpsv5 series pages) and
from https://learn.microsoft.com/azure/aks/use-system-pools ("System node pools require a VM SKU of
at least 4 vCPUs and 4 GB of memory"; "B series VMs aren't supported for system node pools").
"""

import datetime

import pytest

from aksnet.config.problems import ConfigError
from aksnet.config.vm_sizes import catalog, lookup
from aksnet.pipeline import load_stack
from tests.stacks import load, variant
from tools.refresh_vm_sizes import parse_page

POOL = "aks-networking:cluster.nodePools"


def problems(stack, changes):
    try:
        load_stack(variant(load(stack), changes), stack)
    except ConfigError as refused:
        return [str(p) for p in refused.problems]
    return []


def test_sizes_carry_what_their_pages_state():
    d4ds = lookup("Standard_D4ds_v5")
    assert (d4ds.vcpus, d4ds.memory_gb, d4ds.temp_disk_gib, d4ds.ephemeral_os_disk) == (4, 16, 150, True)
    d4s = lookup("Standard_D4s_v5")
    assert (d4s.temp_disk_gib, d4s.ephemeral_os_disk, d4s.premium_storage) == (None, False, True)
    arm = lookup("Standard_D64ps_v5")
    assert (arm.architecture, arm.memory_gb) == ("Arm64", 208)
    assert lookup("standard_d8ds_v5").name == "Standard_D8ds_v5"  # Azure's size names ignore case


def test_every_family_names_its_page_and_was_checked_within_a_year():
    for size in catalog().values():
        assert size.source.startswith("https://learn.microsoft.com/azure/virtual-machines/sizes/")
        assert datetime.date.today() - size.checked < datetime.timedelta(days=365), \
            f"{size.family} was checked {size.checked}: run python -m tools.refresh_vm_sizes"


@pytest.mark.parametrize("size,guess", [("Standard_D4dsv5", "did you mean Standard_D4ds_v5?"),
                                        ("Standard_D4ds_v55", "did you mean Standard_D4ds_v5?"),
                                        ("Standard_D3ds_v5", "did you mean"),
                                        ("Standard_Q4_v9", "choose a size of the families")])
def test_a_size_that_does_not_exist_is_refused_with_a_did_you_mean(size, guess):
    found = problems("prod", {f"{POOL}[1].vmSize": size})
    assert len(found) == 1 and f"{POOL}[1].vmSize" in found[0] and guess in found[0], found


@pytest.mark.parametrize("size", ["Standard_D16ds_v6", "Standard_E8ds_v5", "Standard_D8ads_v5"])
def test_a_size_of_the_catalog_is_accepted(size):
    assert problems("prod", {f"{POOL}[1].vmSize": size, f"{POOL}[1].osDiskType": "Managed"}) == []


def test_a_system_pool_under_four_vcpus_is_refused_and_four_is_accepted():
    found = problems("dev", {f"{POOL}[0].vmSize": "Standard_D2ds_v5"})
    assert len(found) == 1 and "at least 4 vCPUs and 4 GB" in found[0], found
    assert problems("dev", {f"{POOL}[0].vmSize": "Standard_D4s_v5"}) == []
    user_pool = {"name": "small", "mode": "User", "vmSize": "Standard_D2ds_v5", "count": 1}
    assert problems("dev", {f"{POOL}[1]": user_pool}) == []  # the minimum is for System pools only


def test_an_ephemeral_os_disk_on_a_series_without_one_is_refused():
    found = problems("prod", {f"{POOL}[1].vmSize": "Standard_D8s_v5"})
    assert len(found) == 1 and f"{POOL}[1].osDiskType" in found[0] and "set Managed" in found[0], found
    assert problems("prod", {f"{POOL}[1].vmSize": "Standard_D8s_v5", f"{POOL}[1].osDiskType": "Managed"}) == []
    assert problems("prod", {f"{POOL}[1].vmSize": "Standard_E8ds_v5"}) == []  # Edsv5 has its temporary disk


PAGE = """# Xdsv9 sizes series
## Feature support
[Premium Storage](../x.md): Supported <br>[Ephemeral OS Disk](../y.md): Not Supported <br>
| Size Name | vCPUs (Qty.) | Memory (GB) |
| --- | --- | --- |
| Standard_X2ds_v9 | 2 | 8 |
| Standard_X96ds_v93 | 96 | 672 |

| Size Name | Max Temp Storage Disks (Qty.) | Temp Disk Size (GiB) | Temp Disk Random Read (RR)<sup>1</sup> IOPS |
| --- | --- | --- | --- |
| Standard_X2ds_v9 | 1 | 75 | 9000 |
"""


def test_the_refresh_reads_a_size_page_s_tables_and_feature_lines():
    family = parse_page(PAGE, "Xdsv9")
    assert family["premiumStorage"] is True and family["ephemeralOsDisk"] is False
    assert family["sizes"] == {"Standard_X2ds_v9": {"vcpus": 2, "memoryGB": 8, "tempDiskGiB": 75},
                               "Standard_X96ds_v9": {"vcpus": 96, "memoryGB": 672, "tempDiskGiB": None}}
    assert parse_page(PAGE.replace("Xdsv9", "Xpdsv9"), "Xpdsv9")["architecture"] == "Arm64"


def test_an_ephemeral_os_disk_larger_than_the_temporary_disk_is_refused_and_one_that_fits_is_sent():
    # Standard_D8ds_v5's temporary disk is 300 GiB (the Ddsv5 page).
    found = problems("prod", {f"{POOL}[1].osDiskSizeGB": 301})
    assert len(found) == 1 and f"{POOL}[1].osDiskSizeGB" in found[0] and "at most 300" in found[0], found
    spec = load_stack(variant(load("prod"), {f"{POOL}[1].osDiskSizeGB": 300}), "prod").spec
    from aksnet.plan.cluster_profile import pool_settings
    assert pool_settings(spec.cluster.node_pools[1], "1")["osDiskSizeGB"] == 300
    assert problems("prod", {f"{POOL}[1].osDiskSizeGB": 301, f"{POOL}[1].osDiskType": "Managed"}) == []


def test_a_b_series_size_is_refused_for_a_system_pool_and_accepted_for_a_user_pool():
    found = problems("dev", {f"{POOL}[0].vmSize": "Standard_B4s_v2"})
    assert len(found) == 1 and "B-series" in found[0], found
    user_pool = {"name": "burst", "mode": "User", "vmSize": "Standard_B2s_v2", "count": 1}
    assert problems("dev", {f"{POOL}[1]": user_pool}) == []
