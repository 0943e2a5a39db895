"""Kubernetes versions against AKS's dated lifecycle, on a day the test chooses."""

import datetime

import pytest

from aksnet.config.kubernetes_versions import MINORS, creatable
from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from tests.stacks import load, variant

AUDIT_DAY = datetime.date(2026, 11, 27)


def answer(version, today, stack="dev", **changes):
    config = variant(load(stack), {"aks-networking:cluster.kubernetesVersion": version, **changes})
    try:
        return load_stack(config, stack, today=today).checked.findings
    except ConfigError as error:
        return error.problems


def messages(result):
    return [getattr(item, "message", "") for item in result]


def test_both_stacks_use_a_minor_aks_creates_on_the_day_of_the_audit():
    for stack in ("dev", "prod"):
        version = load(stack)["aks-networking:cluster"]["kubernetesVersion"]
        assert version in creatable(AUDIT_DAY)
        load_stack(load(stack), stack, today=AUDIT_DAY)


@pytest.mark.parametrize("version,fragment", [
    ("1.33", "left AKS support in 2026-07"), ("1.10", "is not a minor AKS offers"), ("1.99", "is not a minor"),
])
def test_a_minor_aks_cannot_create_is_refused_naming_what_it_can(version, fragment):
    result = answer(version, AUDIT_DAY)
    assert any(fragment in m and "1.35, 1.36" in m for m in messages(result)), messages(result)
    assert all(isinstance(p, type(result[0])) for p in result) and hasattr(result[0], "path")


def test_a_minor_ending_within_sixty_days_is_a_finding_and_one_still_in_support_is_not():
    ending = answer("1.35", datetime.date(2027, 1, 15))
    assert [f.policy for f in ending] == ["kubernetes-version-ending-soon"] and "2027-03" in ending[0].message
    assert answer("1.35", datetime.date(2026, 12, 30)) == ()
    assert "left AKS support" in messages(answer("1.35", datetime.date(2027, 3, 1)))[0]


def test_a_minor_before_its_aks_ga_is_refused():
    assert "not generally available on AKS before 2026-07" in messages(answer("1.36", datetime.date(2026, 5, 2)))[0]


def test_a_patch_pin_needs_upgrades_off():
    refused = answer("1.35.2", AUDIT_DAY)
    assert any("pins the patch 1.35.2" in m for m in messages(refused))
    assert answer("1.35.2", AUDIT_DAY, **{"aks-networking:cluster.upgradeChannel": "none"}) == ()


def test_the_lifecycle_table_is_ordered_and_a_year_long():
    minors = list(MINORS)
    assert minors == sorted(minors, key=lambda m: int(m.split(".")[1]))
    for life in MINORS.values():
        assert 330 <= (life.end_of_life - life.ga).days <= 400
