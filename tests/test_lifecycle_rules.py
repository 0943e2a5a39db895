"""Announced ends a stack uses, judged on the day the pipeline passes in (aksnet/rules/lifecycle.py).

Expected days and migrations, from Microsoft's pages (read 2026-12-07):
- the application routing add-on's NGINX: "official support for critical security patches ...
  through November 2026"; migrate to the application routing Gateway API implementation
  (https://learn.microsoft.com/azure/aks/app-routing-nginx-to-gateway-api-migration);
- kubenet: "On 31 March 2028, kubenet networking for AKS will be retired", move to Azure CNI
  Overlay; Azure NPM on Linux: "On 30 September 2028, we'll end support", move to Cilium
  (https://learn.microsoft.com/azure/aks/use-network-policies).
"""

import datetime

import pytest

from aksnet.config import lifecycle
from aksnet.config.lifecycle import RETIREMENTS, TODAY_VARIABLE, judging_day
from aksnet.config.stack import load_spec
from aksnet.pipeline import load_stack
from aksnet.rules.registry import BY_ID, spec_verdicts
from tests.pinned_day import PINNED_DAY
from tests.stacks import load, variant

D = datetime.date
NGINX_GUIDE = "https://learn.microsoft.com/azure/aks/app-routing-nginx-to-gateway-api-migration"
PROD_NGINX = {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "internal"}}}
# Dev moved to Envoy Gateway (docs/ingress.md); these tests judge dev as it was, on NGINX.
DEV_NGINX = {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "public"}}}
PROD_NPM = {"aks-networking:cluster.networkPolicy": "azure", "aks-networking:cluster.networkDataplane": "azure"}


def findings(config, stack, today):
    return {(f.policy, f.resource.removeprefix("aks-networking:")): f.message
            for f in load_stack(config, stack, today=today).checked.findings}


def test_the_retirement_rows_carry_microsofts_days_and_sources():
    days = {r.what: r.ends for r in RETIREMENTS}
    assert days == {"the application routing add-on's NGINX ingress": D(2026, 11, 30), "kubenet": D(2028, 3, 31),
                    "Azure Network Policy Manager on Linux nodes": D(2028, 9, 30)}
    for row in RETIREMENTS:
        assert row.guide.startswith("https://learn.microsoft.com/azure/") and row.migration
        assert row.checked.source.startswith("https://learn.microsoft.com/azure/aks/")
        assert row.checked.on <= PINNED_DAY


def test_dev_on_nginx_is_told_its_support_ended_and_where_to_go_without_being_refused():
    found = findings(variant(load("dev"), DEV_NGINX), "dev", PINNED_DAY)
    message = found[("lifecycle-past-end", "ingress.controller")]
    assert "support ended on 2026-11-30" in message and "Gateway API implementation" in message
    assert NGINX_GUIDE in message
    assert BY_ID["lifecycle-past-end"].level(production=False) == "advisory"


def test_nginx_before_its_end_is_an_announced_end_naming_the_day():
    found = findings(variant(load("dev"), DEV_NGINX), "dev", D(2026, 11, 29))
    assert ("lifecycle-past-end", "ingress.controller") not in found
    message = found[("lifecycle-announced-end", "ingress.controller")]
    assert "2026-11-30" in message and NGINX_GUIDE in message


def test_production_on_nginx_is_refused_from_its_end_and_not_the_day_before():
    spec = load_spec(variant(load("prod"), PROD_NGINX), "prod")
    before = spec_verdicts(spec, D(2026, 11, 29))
    assert not [p for p in before.refused() if p.path == "aks-networking:ingress.controller"]
    assert any("2026-11-30" in p.message for p in before.found["lifecycle-announced-end"])
    refused = [p for p in spec_verdicts(spec, D(2026, 11, 30)).refused() if p.path == "aks-networking:ingress.controller"]
    assert len(refused) == 1 and "support ended on 2026-11-30" in refused[0].message
    assert NGINX_GUIDE in refused[0].message


def test_kubenet_is_announced_until_2028_03_31_and_past_its_end_refused_in_production_only():
    found = findings(load("dev"), "dev", PINNED_DAY)
    message = found[("lifecycle-announced-end", "cluster.networkPlugin")]
    assert "kubenet reaches its end of support on 2028-03-31" in message and "Azure CNI Overlay" in message
    spec = load_spec(load("dev"), "dev")
    assert [p.message for p in lifecycle_rule("lifecycle-past-end", spec, D(2028, 3, 30))
            if p.path.endswith("networkPlugin")] == []
    assert [p.path for p in lifecycle_rule("lifecycle-past-end", spec, D(2028, 3, 31))
            if p.path.endswith("networkPlugin")] == ["aks-networking:cluster.networkPlugin"]
    production = load_spec(variant(load("dev"), {"aks-networking:environment.production": True}), "dev")
    refused = spec_verdicts(production, D(2028, 3, 31)).refused()
    assert any(p.path == "aks-networking:cluster.networkPlugin" and "2028-03-31" in p.message for p in refused)
    assert not any(p.path == "aks-networking:cluster.networkPlugin"
                   for p in spec_verdicts(production, D(2028, 3, 30)).refused())


def test_network_policy_manager_is_announced_until_2028_09_30_and_refused_in_production_after():
    config = variant(load("prod"), PROD_NPM)
    found = findings(config, "prod", PINNED_DAY)
    message = found[("lifecycle-announced-end", "cluster.networkPolicy")]
    assert "2028-09-30" in message and "Cilium" in message
    spec = load_spec(config, "prod")
    assert not any(p.path.endswith("networkPolicy") for p in spec_verdicts(spec, D(2028, 9, 29)).refused())
    refused = [p for p in spec_verdicts(spec, D(2028, 9, 30)).refused() if p.path.endswith("networkPolicy")]
    assert len(refused) == 1 and "support ended on 2028-09-30" in refused[0].message


def test_a_stack_without_dated_choices_gets_none_of_their_findings():
    found = findings(load("prod"), "prod", PINNED_DAY)
    assert not [key for key in found if key[0] in ("lifecycle-announced-end", "lifecycle-past-end")
                and key[1] != "cluster.kubernetesVersion"]


def test_the_kubernetes_minor_is_announced_with_its_end_of_life_and_the_next_minor():
    found = findings(load("prod"), "prod", PINNED_DAY)
    assert found[("lifecycle-announced-end", "cluster.kubernetesVersion")].startswith(
        "Kubernetes 1.36 reaches its end of life on AKS on 2027-06-30; before then, upgrade to 1.37")
    # Within its last 60 days the ending-soon rule speaks instead, once.
    late = findings(load("prod"), "prod", D(2027, 5, 1))
    assert ("lifecycle-announced-end", "cluster.kubernetesVersion") not in late
    assert ("kubernetes-version-ending-soon", "cluster.kubernetesVersion") in late


def test_the_preview_shows_the_tables_age_and_names_the_pages_once_it_is_stale():
    fresh = findings(load("prod"), "prod", PINNED_DAY)[("lifecycle-table-age", "aksnet/config/lifecycle.py")]
    assert "checked 0 days ago (on 2026-12-07)" in fresh and "by 2027-02-05" in fresh
    still = findings(load("prod"), "prod", D(2027, 2, 5))[("lifecycle-table-age", "aksnet/config/lifecycle.py")]
    assert "60 days ago" in still and "more than" not in still
    stale = findings(load("prod"), "prod", D(2027, 2, 6))[("lifecycle-table-age", "aksnet/config/lifecycle.py")]
    assert "61 days ago, more than 60" in stale
    for checked in lifecycle.checks():
        assert checked.source in stale
    assert BY_ID["lifecycle-table-age"].level(production=True) == "advisory"


def test_the_pipeline_judges_on_the_pinned_day_unless_told_otherwise(monkeypatch):
    # The suite pins the day (tests/conftest.py): the committed dev stack is judged on it by default.
    assert judging_day() == PINNED_DAY
    assert "support ended on 2026-11-30" in {
        (f.policy, f.resource): f.message for f in load_stack(variant(load("dev"), DEV_NGINX), "dev").checked.findings
    }[("lifecycle-past-end", "aks-networking:ingress.controller")]
    monkeypatch.delenv(TODAY_VARIABLE)
    assert judging_day() == datetime.date.today()
    monkeypatch.setenv(TODAY_VARIABLE, "2027-02-30")
    with pytest.raises(ValueError, match="AKSNET_TODAY='2027-02-30' is not a day; give YYYY-MM-DD"):
        judging_day()


def lifecycle_rule(rule_id, spec, today):
    return BY_ID[rule_id].spec_problems(spec, today)
