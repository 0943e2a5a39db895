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


# Sizes of the series added for AKS platforms, as their Microsoft pages state them (read 2026-12-07 from
# MicrosoftDocs/azure-compute-docs, articles/virtual-machines/sizes/<page>.md, published at
# https://learn.microsoft.com/azure/virtual-machines/sizes/<page>): name, page, vCPUs, memory (GB), temporary
# disk (GiB, None: "No local storage present in this series"), Premium Storage, Ephemeral OS Disk, architecture.
ADDED = [
    ("Standard_F2s_v2", "compute-optimized/fsv2-series", 2, 4, 16, True, True, "x64"),
    ("Standard_F72s_v2", "compute-optimized/fsv2-series", 72, 144, 576, True, True, "x64"),
    ("Standard_D4as_v4", "general-purpose/dasv4-series", 4, 16, 32, True, True, "x64"),
    ("Standard_D96as_v4", "general-purpose/dasv4-series", 96, 384, 768, True, True, "x64"),
    ("Standard_E4as_v5", "memory-optimized/easv5-series", 4, 32, None, True, False, "x64"),
    ("Standard_E112ias_v5", "memory-optimized/easv5-series", 112, 672, None, True, False, "x64"),
    ("Standard_E4ads_v5", "memory-optimized/eadsv5-series", 4, 32, 150, True, True, "x64"),
    ("Standard_E20ads_v5", "memory-optimized/eadsv5-series", 20, 160, 750, True, True, "x64"),
    ("Standard_D2ls_v5", "general-purpose/dlsv5-series", 2, 4, None, True, False, "x64"),
    ("Standard_D96ls_v5", "general-purpose/dlsv5-series", 96, 192, None, True, False, "x64"),
    ("Standard_D4lds_v5", "general-purpose/dldsv5-series", 4, 8, 150, True, True, "x64"),
    ("Standard_D32lds_v5", "general-purpose/dldsv5-series", 32, 64, 1200, True, True, "x64"),
    ("Standard_D4as_v6", "general-purpose/dasv6-series", 4, 16, None, True, False, "x64"),
    ("Standard_D96as_v6", "general-purpose/dasv6-series", 96, 384, None, True, False, "x64"),
    ("Standard_D2ads_v6", "general-purpose/dadsv6-series", 2, 8, 110, True, True, "x64"),
    ("Standard_D64ads_v6", "general-purpose/dadsv6-series", 64, 256, 880, True, True, "x64"),
    ("Standard_E8as_v6", "memory-optimized/easv6-series", 8, 64, None, True, False, "x64"),
    ("Standard_E96as_v6", "memory-optimized/easv6-series", 96, 672, None, True, False, "x64"),
    ("Standard_E4ads_v6", "memory-optimized/eadsv6-series", 4, 32, 220, True, True, "x64"),
    ("Standard_E20ads_v6", "memory-optimized/eadsv6-series", 20, 160, 550, True, True, "x64"),
    ("Standard_E4s_v6", "memory-optimized/esv6-series", 4, 32, None, True, False, "x64"),
    ("Standard_E192is_v6", "memory-optimized/esv6-series", 192, 1832, None, True, False, "x64"),
    ("Standard_E8ds_v6", "memory-optimized/edsv6-series", 8, 64, 440, True, False, "x64"),
    ("Standard_E128ds_v6", "memory-optimized/edsv6-series", 128, 1024, 1760, True, False, "x64"),
    ("Standard_D4ls_v6", "general-purpose/dlsv6-series", 4, 8, None, True, False, "x64"),
    ("Standard_D128ls_v6", "general-purpose/dlsv6-series", 128, 256, None, True, False, "x64"),
    ("Standard_D4lds_v6", "general-purpose/dldsv6-series", 4, 8, 220, True, True, "x64"),
    ("Standard_D128lds_v6", "general-purpose/dldsv6-series", 128, 256, 1760, True, True, "x64"),
    ("Standard_D4_v5", "general-purpose/dv5-series", 4, 16, None, False, False, "x64"),
    ("Standard_D96_v5", "general-purpose/dv5-series", 96, 384, None, False, False, "x64"),
    ("Standard_D4d_v5", "general-purpose/ddv5-series", 4, 16, 150, False, True, "x64"),
    ("Standard_D48d_v5", "general-purpose/ddv5-series", 48, 192, 1800, False, True, "x64"),
    ("Standard_E4_v5", "memory-optimized/ev5-series", 4, 32, None, False, False, "x64"),
    ("Standard_E104i_v5", "memory-optimized/ev5-series", 104, 672, None, False, False, "x64"),
    ("Standard_E8d_v5", "memory-optimized/edv5-series", 8, 64, 300, False, True, "x64"),
    ("Standard_E104id_v5", "memory-optimized/edv5-series", 104, 672, 3800, False, True, "x64"),  # page: "E104id_v52"
    ("Standard_E4ps_v5", "memory-optimized/epsv5-series", 4, 32, None, True, False, "Arm64"),
    ("Standard_E32ps_v5", "memory-optimized/epsv5-series", 32, 208, None, True, False, "Arm64"),
    ("Standard_D4pds_v5", "general-purpose/dpdsv5-series", 4, 16, 150, True, True, "Arm64"),
    ("Standard_D64pds_v5", "general-purpose/dpdsv5-series", 64, 208, 2400, True, True, "Arm64"),
    # The Dsv2 page's feature lines say "Premium Storage: Not Supported" and "Ephemeral OS Disks: Supported".
    ("Standard_DS1_v2", "general-purpose/dsv2-series", 1, 3.5, 7, False, True, "x64"),
    ("Standard_DS2_v2", "general-purpose/dsv2-series", 2, 7, 14, False, True, "x64"),
]


@pytest.mark.parametrize("name,page,vcpus,memory,temp,premium,ephemeral,arch", ADDED, ids=[row[0] for row in ADDED])
def test_an_added_series_carries_what_its_page_states(name, page, vcpus, memory, temp, premium, ephemeral, arch):
    size = lookup(name)
    assert size is not None, f"{name} is missing from the catalog"
    assert size.source == f"https://learn.microsoft.com/azure/virtual-machines/sizes/{page}"
    assert (size.vcpus, size.memory_gb, size.temp_disk_gib) == (vcpus, memory, temp)
    assert (size.premium_storage, size.ephemeral_os_disk, size.architecture) == (premium, ephemeral, arch)


@pytest.mark.parametrize("size", ["Standard_F4s_v2", "Standard_D4as_v4", "Standard_E4as_v5", "Standard_D4lds_v5"])
def test_the_sizes_a_tester_found_refused_are_accepted_in_a_user_pool(size):
    user_pool = {"name": "work", "mode": "User", "vmSize": size, "count": 1}
    assert problems("dev", {f"{POOL}[1]": user_pool}) == []


@pytest.mark.parametrize("size", ["Standard_F2s_v2", "Standard_DS2_v2"])
def test_an_added_two_vcpu_size_is_refused_for_a_system_pool(size):
    # Fsv2 and Dsv2 pages: Standard_F2s_v2 and Standard_DS2_v2 have 2 vCPUs; a System pool needs 4 (use-system-pools).
    found = problems("dev", {f"{POOL}[0].vmSize": size})
    assert len(found) == 1 and f"{POOL}[0].vmSize" in found[0] and "at least 4 vCPUs and 4 GB" in found[0], found
    assert problems("dev", {f"{POOL}[0].vmSize": "Standard_F4s_v2"}) == []  # 4 vCPUs, 8 GB: enough


def test_a_size_outside_the_catalog_is_said_to_be_outside_the_project_s_catalog_with_how_to_add_it():
    # Standard_L8s_v2 is an Lsv2 size (storage optimized), a series the catalog does not hold.
    found = problems("prod", {f"{POOL}[1].vmSize": "Standard_L8s_v2"})
    assert len(found) == 1 and "\n" not in found[0], found
    assert "not in this project's VM size catalog" in found[0] and "add its series" in found[0], found
    assert "did you mean" not in found[0], found  # Standard_F8s_v2 is near in spelling, but another machine
    assert "choose a size of the families" in found[0], found


def test_a_did_you_mean_stays_within_the_family_letter():
    found = problems("prod", {f"{POOL}[1].vmSize": "Standard_F4s_v3"})
    assert len(found) == 1 and "did you mean Standard_F4s_v2?" in found[0], found
