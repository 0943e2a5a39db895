"""Conformance tables: the path model and the plan's builders against Azure's and Kubernetes' documented
behaviour, case by case (tests/conformance/*.yaml).

Every expected decision in those files was written from the page and statement its case cites, never by
running this code; a case that fails here is either a defect of the code or a mistake of the table, and
which one is read from the cited source.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from aksnet.analysis.paths import (
    DEFAULT_NSG_RULES,
    AddressBook,
    FirewallContext,
    Packet,
    Route,
    firewall_decide,
    firewall_rule_matches,
    firewall_rules,
    nsg_decide,
    route_lookup,
    system_routes,
)
from aksnet.config.problems import ConfigError
from aksnet.config.stack import POD_SECURITY_INITIATIVES, load_spec
from aksnet.pipeline import load_stack
from aksnet.plan.addressing import plan_addresses
from aksnet.plan.egress_rules import RuleGroup, workload_sources
from aksnet.plan.security_rules import APPGW_RULES, BASTION_RULES
from aksnet.plan.security_rules import Rule as NsgRule
from tests.stacks import DELETE, load, variant
from tests.test_reach_upstream import assert_probes, manifests
from tools import reach

HERE = Path(__file__).with_name("conformance")
IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network


def table(name: str) -> dict[str, Any]:
    return yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))


NSG, ROUTES, FIREWALL = table("nsg"), table("routes"), table("firewall")
NETPOL, ROLES, ADDRESSING, PLAN = table("networkpolicy"), table("roles"), table("addressing"), table("plan")
TABLES = {"nsg": NSG, "routes": ROUTES, "firewall": FIREWALL, "networkpolicy": NETPOL, "roles": ROLES,
          "addressing": ADDRESSING, "plan": PLAN}


def cases_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [case for key in ("cases", "built", "required", "scenarios", "roles", "policies_ids") for case in document.get(key) or []
            if isinstance(case, dict)]


def ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c.get("id") or c.get("name") for c in cases]


# Every case cites its source ----------------------------------------------------------------------

def test_every_case_cites_a_documented_statement():
    for name, document in TABLES.items():
        sources = document["sources"]
        for key, source in sources.items():
            assert re.match(r"https://", source["url"]), (name, key)
            assert len(source["says"]) > 20, (name, key)
        for case in cases_of(document):
            assert case["source"] in sources, (name, case)


def test_the_tables_hold_hundreds_of_cited_cases():
    counted = sum(len(cases_of(d)) for d in TABLES.values()) + len(NSG["default_rules"]) + len(ROLES["policies"])
    counted += sum(len(probe["expect"]) or 1 for s in NETPOL["scenarios"] for probe in s.get("probes", ())) \
        - len(NETPOL["scenarios"])
    assert counted >= 300, counted


# NSG ------------------------------------------------------------------------------------------

NSG_BOOK = AddressBook((NET("10.0.0.0/16"), NET("10.1.0.0/16"), NET("192.168.100.0/24")))
BUILT_BOOK = AddressBook((NET("10.200.0.0/24"), NET("10.240.0.0/16"), NET("10.0.0.0/16")))
BUILT_RULES = {"appgw": APPGW_RULES, "bastion": BASTION_RULES}


def packet_of(case: dict[str, Any]) -> Packet:
    return Packet(IP(case["src"]), IP(case["dst"]) if case.get("dst") else None, case["proto"], case["port"],
                  fqdn=case.get("fqdn"), source_tags=frozenset(case.get("src_tags", ())),
                  destination_tags=frozenset(case.get("dst_tags", ())))


@pytest.mark.parametrize("row", NSG["default_rules"], ids=[r[0] for r in NSG["default_rules"]])
def test_azure_default_nsg_rules_are_the_documented_table(row):
    name, priority, direction, access, protocol, source, destination = row
    rule = next(r for r in DEFAULT_NSG_RULES if r.name.lower() == name.lower())
    assert (rule.priority, rule.direction, rule.access, rule.protocol, rule.source, rule.destination, tuple(rule.ports)) \
        == (priority, direction, access, protocol, source, destination, ("*",))


def test_azure_default_nsg_rules_are_exactly_six():
    assert sorted(r.name.lower() for r in DEFAULT_NSG_RULES) == sorted(r[0].lower() for r in NSG["default_rules"])


@pytest.mark.parametrize("case", NSG["cases"], ids=ids(NSG["cases"]))
def test_nsg_decides_as_azure(case):
    rules = [NsgRule(n, p, d, a, proto, s, dst, tuple(ports)) for n, p, d, a, proto, s, dst, ports in case.get("rules", ())]
    decided = nsg_decide(rules, case["dir"], packet_of(case), NSG_BOOK)
    assert decided.access == case["expect"], decided
    if "rule" in case:
        assert decided.name.lower() == case["rule"].lower(), decided


@pytest.mark.parametrize("case", NSG["built"], ids=ids(NSG["built"]))
def test_the_nsg_rules_the_plan_builds_decide_as_documented(case):
    decided = nsg_decide(BUILT_RULES[case["rules"]], case["dir"], packet_of(case), BUILT_BOOK)
    assert decided.access == case["expect"], decided


@pytest.mark.parametrize("case", NSG["required"], ids=[f"{c['rules']}-{i}" for i, c in enumerate(NSG["required"])])
def test_the_plan_builds_the_nsg_rules_azure_requires(case):
    direction, access, protocol, source, destination, ports = case["rule"]
    built = {(r.direction, r.access, r.protocol, r.source, r.destination, tuple(r.ports)) for r in BUILT_RULES[case["rules"]]}
    assert (direction, access, protocol, source, destination, tuple(ports)) in built


# Routes ---------------------------------------------------------------------------------------

KNOWN_DEFECTS: set[str] = set()
"""Cases the code does not follow yet, each a defect to fix (strict: a fixed one fails until removed)."""


def marked(cases: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(c, id=c.get("id"), marks=pytest.mark.xfail(strict=True, reason="known defect"))
            if c.get("id") in KNOWN_DEFECTS else pytest.param(c, id=c.get("id")) for c in cases]


NEXT_HOP = {"VnetLocal": "VnetLocal", "VNetPeering": "VNetPeering", "Internet": "Internet",
            "VirtualAppliance": "VirtualAppliance", "None": "None"}


@pytest.mark.parametrize("case", marked(ROUTES["cases"]))
def test_routes_pick_the_next_hop_azure_picks(case):
    spaces = {vnet: tuple(NET(p) for p in prefixes) for vnet, prefixes in case["spaces"].items()}
    routes = system_routes("spoke", spaces, case["peered"])
    routes += [Route(NET(prefix), hop, "user", f"udr-{index}", IP("10.200.0.4") if hop == "VirtualAppliance" else None)
               for index, (prefix, hop) in enumerate(case.get("user", ()))]
    chosen = route_lookup(routes, IP(case["dst"]))
    assert chosen.next_hop == NEXT_HOP[case["expect"]], chosen


# Firewall -------------------------------------------------------------------------------------

def groups_of(policy: list[dict[str, Any]]) -> list[RuleGroup]:
    return [RuleGroup(g["name"], g["name"], g["priority"], tuple(
        {"ruleCollectionType": c["kind"], "name": c["name"], "priority": c["priority"],
         "action": {"type": c["action"]}, "rules": c["rules"]} for c in g["collections"])) for g in policy]


@pytest.mark.parametrize("case", FIREWALL["cases"], ids=ids(FIREWALL["cases"]))
def test_the_firewall_decides_in_azures_order(case):
    context = FIREWALL["context"]
    firewall = FirewallContext(context["ip_groups"], IP(context["public_address"]), case.get("dns_proxy", True),
                               context["tag_fqdns"])
    rules = firewall_rules(groups_of(FIREWALL["policies"][case["policy"]]))
    decided = firewall_decide(rules, packet_of(case), firewall)
    assert (decided.name if decided is not None else "denied") == case["expect"]
    # The rule-by-rule evaluator the compiled one is measured against answers the cited case alike.
    first = next((rule for rule in rules if firewall_rule_matches(rule, packet_of(case), firewall)), None)
    assert (first.name if first is not None else "denied") == case["expect"]


# NetworkPolicy --------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", NETPOL["scenarios"], ids=ids(NETPOL["scenarios"]))
def test_network_policies_allow_what_the_kubernetes_api_says(scenario, tmp_path, capsys):
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump_all(manifests(scenario)))
    code = reach.main([str(path), "--json"])
    if scenario.get("invalid"):
        assert code == 1, "the API server refuses this policy"
        return
    assert code == 0
    assert_probes(scenario, json.loads(capsys.readouterr().out))


# Roles ----------------------------------------------------------------------------------------

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize("role", ROLES["roles"], ids=[r["name"] for r in ROLES["roles"]])
def test_built_in_role_ids_are_microsofts(role):
    from components.roles import BUILTIN_ROLES
    assert BUILTIN_ROLES[role["name"]] == role["id"]


def test_the_program_assigns_no_role_the_table_does_not_cite():
    from components.roles import BUILTIN_ROLES
    assert set(BUILTIN_ROLES) == {r["name"] for r in ROLES["roles"]}


@pytest.mark.parametrize("policy", ROLES["policies"], ids=[p["level"] for p in ROLES["policies"]])
def test_pod_security_initiative_ids_are_microsofts(policy):
    assert POD_SECURITY_INITIATIVES[policy["level"]] == policy["id"]


def test_every_guid_in_the_program_is_a_cited_id():
    """A definition id typed anywhere in the program is one the tables cite (resource names and ids
    of the stack files are not in the program's code)."""
    cited = {r["id"] for r in ROLES["roles"]} | {p["id"] for p in ROLES["policies"]}
    root = Path(__file__).resolve().parents[1]
    texts = [path.read_text(encoding="utf-8") for folder in ("aksnet", "components", "program")
             for path in (root / folder).rglob("*.py")]
    found = {m for text in texts for m in GUID.findall(text)}
    # A uuid5 namespace the project mints its own names from (the spokes' custom role) is no definition id.
    minted = {m for text in texts for m in re.findall(r'uuid\.UUID\("([0-9a-f-]{36})"\)', text)}
    assert found - minted <= cited, found - minted - cited


# Addresses and capacity -----------------------------------------------------------------------

def flat_cni(nodes: int, surge: int, max_pods: int, subnet: str) -> dict[str, Any]:
    return variant(load("prod"), {
        "aks-networking:cluster.networkPluginMode": None, "aks-networking:cluster.networkDataplane": "azure",
        "aks-networking:cluster.networkPolicy": "calico", "aks-networking:cluster.podCidr": None,
        "aks-networking:cluster.maxSurge": str(surge),
        "aks-networking:cluster.nodePools": [{"name": "system", "mode": "System", "count": nodes, "maxPods": max_pods}],
        "aks-networking:network.spoke.subnets.nodes": subnet})


def changed(stack: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A committed stack with key paths set (`<delete>` removes one)."""
    return variant(load(stack), {k: DELETE if v == "<delete>" else v for k, v in changes.items()})


def problem_paths(case: dict[str, Any]) -> dict[str, list[str]]:
    config = flat_cni(**case["flat_cni"]) if "flat_cni" in case else changed(case["stack"], case["changes"])
    found: dict[str, list[str]] = {}
    if case["check"] == "addresses":
        for problem in plan_addresses(load_spec(config, case["stack"])).problems:
            found.setdefault(problem.path, []).append(problem.message)
        return found
    try:
        load_stack(config, case["stack"])
    except ConfigError as error:
        for problem in error.problems:
            found.setdefault(problem.path, []).append(problem.message)
    return found


@pytest.mark.parametrize("case", ADDRESSING["cases"], ids=ids(ADDRESSING["cases"]))
def test_address_rules_hold_at_their_boundaries(case):
    found = problem_paths(case)
    if case["expect"] == "refused":
        assert case["at"] in found, found
        assert any(case.get("message", "") in m for m in found[case["at"]]), found[case["at"]]
    else:
        assert case["at"] not in found, found[case["at"]]


# The plan's egress builders -----------------------------------------------------------------------

@pytest.mark.parametrize("case", PLAN["cases"], ids=ids(PLAN["cases"]))
def test_the_plan_builds_what_azure_needs(case):
    loaded = load_stack(changed(case["stack"], case.get("changes", {})), case["stack"])
    spec, plan = loaded.spec, loaded.plan
    subnets = spec.network.spoke.subnets
    if "firewall_sees" in case:
        assert workload_sources(spec) == (str(subnets[case["firewall_sees"]]),)
    if "flow_rule" in case:
        rules = {r["name"]: r for g in plan.firewall.groups for c in g.collections for r in c["rules"]}
        rule = rules[case["flow"]]
        assert rule["ruleType"] == case["flow_rule"], rule
        for key, value in case.get("rule_has", {}).items():
            assert rule.get(key) == value, rule
    if "absent" in case:
        names = {r["name"] for g in plan.firewall.groups for c in g.collections for r in c["rules"]}
        assert not names & set(case["absent"]), names
    if "dns_proxy" in case:
        assert plan.firewall.dns_proxy is case["dns_proxy"]
    if "snat_to_node" in case:
        from aksnet.analysis.paths import network_of
        assert (network_of(spec, plan).pod_cidr is not None) is case["snat_to_node"]
