"""Kubernetes versions against AKS's release calendar, on days the tests choose.

Expected dates are the calendar's, as read on
https://learn.microsoft.com/azure/aks/supported-kubernetes-versions (AKS Kubernetes release
calendar, revision of 2026-08-05, read 2026-12-07): "Unless an explicit date is provided, the End
of Life (EOL) date is the last day of the specified month. For example, "Mar 2026" indicates
March 31, 2026." 1.31 is in the page's LTS table, whose community end of life is "Nov 1, 2025".
"""

import datetime

import pytest

from aksnet.config.lifecycle import CALENDAR, MINORS, creatable
from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from tests.pinned_day import PINNED_DAY
from tests.stacks import load, variant

D = datetime.date
CALENDAR_PAGE = {  # minor: (AKS GA, end of life), as the page writes them
    "1.31": ("Nov 2024", "Nov 1, 2025"),
    "1.32": ("Apr 2025", "Mar 2026"),
    "1.33": ("Jun 2025", "Jul 2026"),
    "1.34": ("Nov 2025", "Nov 2026"),
    "1.35": ("Mar 2026", "Mar 2027"),
    "1.36": ("Jun 2026", "Jun 2027"),
    "1.37": ("Oct 2026", "Oct 2027"),
}
SIX_MONTHS = 183


def answer(version, today, stack="dev", **changes):
    config = variant(load(stack), {"aks-networking:cluster.kubernetesVersion": version, **changes})
    try:
        # The Gateway API controller's own end of life is dated too (tests/test_ingress_rules.py).
        return tuple(f for f in load_stack(config, stack, today=today).checked.findings
                     if not f.policy.startswith("gateway-controller"))
    except ConfigError as error:
        return error.problems


def messages(result, policy=None):
    return [getattr(item, "message", "") for item in result if policy is None or getattr(item, "policy", None) == policy]


def test_every_row_has_the_calendars_ga_month_and_end_of_life_day():
    for minor, (ga, end) in CALENDAR_PAGE.items():
        life = MINORS[minor]
        assert (life.ga.strftime("%b %Y"), life.ga.day) == (ga, 1), minor
        if "," in end:
            assert life.end_of_life == datetime.datetime.strptime(end, "%b %d, %Y").date(), minor
        else:  # the last day of the month the page names
            assert life.end_of_life.strftime("%b %Y") == end, minor
            assert (life.end_of_life + datetime.timedelta(days=1)).day == 1, minor
        assert life.checked is CALENDAR and CALENDAR.source.startswith(
            "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions")
    assert list(MINORS) == list(CALENDAR_PAGE)


def test_both_committed_stacks_run_a_minor_with_six_months_of_support_left():
    for stack in ("dev", "prod"):
        version = load(stack)["aks-networking:cluster"]["kubernetesVersion"]
        assert version in creatable(PINNED_DAY), stack
        assert (MINORS[version].end_of_life - PINNED_DAY).days >= SIX_MONTHS, stack
        load_stack(load(stack), stack, today=PINNED_DAY)  # not refused
    # 1.35 would not do: it ends on 2027-03-31, less than six months after the pinned day.
    assert (MINORS["1.35"].end_of_life - PINNED_DAY).days < SIX_MONTHS


@pytest.mark.parametrize("version,fragment", [
    ("1.34", "left AKS support in 2026-11"), ("1.33", "left AKS support in 2026-07"),
    ("1.10", "is not a minor AKS offers"), ("1.99", "is not a minor"),
])
def test_a_minor_aks_cannot_create_is_refused_naming_what_it_can(version, fragment):
    result = answer(version, PINNED_DAY)
    assert any(fragment in m and "1.35, 1.36, 1.37" in m for m in messages(result)), messages(result)
    assert all(hasattr(p, "path") and not hasattr(p, "policy") for p in result)


def test_1_37_is_accepted_from_its_aks_ga_month_and_refused_before():
    assert "not generally available on AKS before 2026-10" in messages(answer("1.37", D(2026, 9, 30)))[0]
    accepted = answer("1.37", D(2026, 10, 1))
    assert not any(hasattr(p, "path") and not hasattr(p, "policy") for p in accepted)
    assert "1.37" in creatable(PINNED_DAY)


def test_a_minor_is_refused_from_its_end_of_life_day_and_accepted_the_day_before():
    assert all(hasattr(f, "policy") for f in answer("1.35", D(2027, 3, 30)))  # findings, not problems
    assert "left AKS support in 2027-03" in messages(answer("1.35", D(2027, 3, 31)))[0]


def test_a_minor_ending_within_sixty_days_is_a_finding_and_one_with_more_left_is_not():
    ending = answer("1.35", D(2027, 1, 30))  # 60 days before 2027-03-31
    assert messages(ending, "kubernetes-version-ending-soon") == [
        "1.35 leaves AKS support in 2027-03, within 60 days: plan the upgrade"]
    assert messages(answer("1.35", D(2027, 1, 29)), "kubernetes-version-ending-soon") == []


def test_a_patch_pin_needs_upgrades_off():
    refused = answer("1.36.2", PINNED_DAY)
    assert any("pins the patch 1.36.2" in m for m in messages(refused))
    accepted = answer("1.36.2", PINNED_DAY, **{"aks-networking:cluster.upgradeChannel": "none"})
    assert all(hasattr(f, "policy") for f in accepted)
