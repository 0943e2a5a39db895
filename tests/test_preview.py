"""The offline preview end to end: both stacks, the JSON contract, exit codes, one-line errors."""

import json
import subprocess
import sys

import pytest
import yaml

from tests.stacks import load, variant
from tools import preview
from tools.mock_engine import PROJECT_DIR


def run(capsys, *argv):
    code = preview.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def prod_json():
    import io
    from contextlib import redirect_stdout
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert preview.main(["prod", "--json"]) == 0
    return json.loads(buffer.getvalue())


def test_prod_json_lists_hub_spoke_subnets_nsgs_and_two_peerings(prod_json):
    resources = prod_json["resources"]
    by_type = {}
    for r in resources:
        by_type.setdefault(r["type"], []).append(r)
    vnets = {r["inputs"]["virtualNetworkName"] for r in by_type["azure-native:network:VirtualNetwork"]}
    assert vnets == {"vnet-prod-hub", "vnet-prod-spoke"}
    subnets = {r["inputs"]["subnetName"] for r in by_type["azure-native:network:Subnet"]}
    assert subnets == {"AzureFirewallSubnet", "AzureBastionSubnet", "snet-dns", "snet-nodes", "snet-appgw", "snet-ilb",
                       "snet-endpoints"}
    for subnet in by_type["azure-native:network:Subnet"]:
        has_nsg = "networkSecurityGroup" in subnet["inputs"]
        assert has_nsg == (subnet["inputs"]["subnetName"] != "AzureFirewallSubnet"), subnet["name"]
    assert len(by_type["azure-native:network:NetworkSecurityGroup"]) == 6
    assert len(by_type["azure-native:network:VirtualNetworkPeering"]) == 2
    assert set(prod_json) >= {"resources", "addressPlan", "findings", "reachability"}


def test_every_azure_resource_sits_under_a_project_component(prod_json):
    types = {r["urn"]: r["type"] for r in prod_json["resources"]}
    for r in prod_json["resources"]:
        if r["type"].startswith("azure-native:"):
            assert r["parent"] is not None and types[r["parent"]].startswith("aks-networking:"), r["name"]
    for r in prod_json["resources"]:
        assert set(r) >= {"type", "name", "parent", "inputs"}
        assert r["parent"] is None or r["parent"] in types  # every parent is listed, or the stack's
    assert any(r["parent"] is None and r["type"].startswith("aks-networking:") for r in prod_json["resources"])


def test_inputs_are_engine_camel_case(prod_json):
    subnet = next(r for r in prod_json["resources"] if r["type"] == "azure-native:network:Subnet")
    assert "addressPrefix" in subnet["inputs"] and "address_prefix" not in subnet["inputs"]


def test_address_plan_in_json(prod_json):
    rows = {row["cidr"]: row for row in prod_json["addressPlan"]}
    assert rows["10.240.0.0/22"]["usable"] == 1019
    assert rows["172.16.0.0/16"]["role"] == "Kubernetes services"


def test_human_output_has_tree_and_plan(capsys):
    code, out, _ = run(capsys, "dev")
    assert code == 0
    assert "aks-networking:network:VirtualNetwork  spoke" in out
    assert "  azure-native:network:Subnet  spoke-subnet-nodes" in out
    assert "Address plan" in out and "192.168.1.0/24" in out


def write(tmp_path, config, name="stack.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"config": config}))
    return str(path)


@pytest.mark.parametrize("changes,key", [
    ({"aks-networking:cluster.serviceCidr": "10.240.0.0/16"}, "aks-networking:cluster.serviceCidr"),
    ({"aks-networking:network.hub.subnets.AzureFirewallSubnet": "10.200.0.0/27"},
     "aks-networking:network.hub.subnets.AzureFirewallSubnet"),
    ({"aks-networking:network.hub.addressSpace": ["10.240.0.0/24"]}, "aks-networking:network.spoke.addressSpace[0]"),
    ({"aks-networking:cluster.dnsServiceIp": "172.16.0.1"}, "aks-networking:cluster.dnsServiceIp"),
    ({"aks-networking:cluster.netwrkPolicy": "cilium"}, "aks-networking:cluster.netwrkPolicy"),
])
def test_invalid_stack_exits_1_with_a_line_naming_the_key(tmp_path, capsys, changes, key):
    path = write(tmp_path, variant(load("prod"), changes))
    code, out, err = run(capsys, "prod", "--config", path)
    assert code == 1
    lines = err.strip().splitlines()
    assert any(line.startswith(f"{path}: {key}: ") for line in lines), lines
    assert "Traceback" not in err and out == ""


def test_yaml_that_is_not_a_mapping_is_one_line(tmp_path, capsys):
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n")
    code, _, err = run(capsys, "prod", "--config", str(path))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "expected a mapping" in err


def test_broken_yaml_names_the_line(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("config:\n  aks-networking:cluster: {a: [\n")
    code, _, err = run(capsys, "prod", "--config", str(path))
    assert code == 1 and "line " in err and "Traceback" not in err


def test_usage_errors_exit_2():
    completed = subprocess.run([sys.executable, "-m", "tools.preview"], cwd=PROJECT_DIR,
                               capture_output=True, text=True)
    assert completed.returncode == 2
    completed = subprocess.run([sys.executable, "-m", "tools.preview", "nosuchstack"], cwd=PROJECT_DIR,
                               capture_output=True, text=True)
    assert completed.returncode == 2 and "no such stack file" in completed.stderr


def test_no_resource_is_registered_for_an_invalid_stack():
    from tools.mock_engine import run_program
    result = run_program("prod", variant(load("prod"), {"aks-networking:cluster.serviceCidr": "10.240.0.0/16"}))
    assert result.error is not None and result.records == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_reachability_equals_the_declared_flows(stack, capsys):
    code, out, _ = run(capsys, stack, "--json")
    document = json.loads(out)
    assert code == 0
    assert [f for f in document["findings"] if f["policy"] == "reachability-matches-intent"] == []
    allowed = {(e["from"], e["to"]): e["ports"] for e in document["reachability"]}
    if stack == "dev":
        assert allowed[("development/frontend", "development/backend")] == ["TCP/8080"]
        assert allowed[("development/backend", "development/store")] == ["TCP/6379"]
        assert allowed[("envoy-gateway-system/ingress-controller", "development/backend")] == ["TCP/8080"]
        assert ("development/frontend", "development/store") not in allowed
        assert allowed[("development/store", "kube-system/coredns")] == ["TCP/53", "UDP/53"]
    else:
        assert allowed[("shop/web", "shop/api")] == ["TCP/8080"]
        assert allowed[("shop/api", "203.0.113.0/24")] == ["TCP/443"]
        assert allowed[("10.240.4.0/24", "shop/web")] == ["TCP/8080"]  # the gateway subnet, for AGIC
        assert ("shop/web", "shop/cache") not in allowed


OVER_BROAD = {"name": "allow-everything", "namespace": "shop",
              "spec": {"podSelector": {"matchLabels": {"tier": "cache"}}, "ingress": [{}]}}


def test_over_broad_literal_policy_is_refused_in_prod_by_the_program_and_the_preview(tmp_path, capsys):
    """The intent rule runs in the config check, so `pulumi preview` refuses the stack as the offline
    preview does, naming the key of the literal policies."""
    from tools.mock_engine import run_program
    config = variant(load("prod"), {"aks-networking:kubernetes.policies": [OVER_BROAD]})
    code, out, err = run(capsys, "prod", "--config", write(tmp_path, config), "--json")
    # web's egress is locked to api, so the opening shows from sources that are not isolated
    over = [line for line in err.splitlines() if "-> shop/cache: allowed but no flow declares it: all ports" in line]
    assert code == 1 and out == "" and over
    assert all(": aks-networking:kubernetes.policies: " in line for line in over)
    assert not any("shop/web -> shop/cache" in line for line in over)
    refused = run_program("prod", config).error
    assert refused is not None and "aks-networking:kubernetes.policies: 203.0.113.0/24 -> shop/cache" in str(refused)


def test_over_broad_policy_is_advisory_in_dev(tmp_path, capsys):
    broad = {"name": "allow-all-in", "namespace": "development",
             "spec": {"podSelector": {"matchLabels": {"role": "store"}}, "ingress": [{}]}}
    path = write(tmp_path, variant(load("dev"), {"aks-networking:kubernetes.policies": [broad]}))
    code, out, _ = run(capsys, "dev", "--config", path, "--json")
    findings = json.loads(out)["findings"]
    assert code == 0 and findings and all(f["level"] == "advisory" for f in findings)
    intent = [f for f in findings if f["policy"] == "reachability-matches-intent"]
    assert intent and all(f["message"].endswith(": all ports") for f in intent)  # ingress: [{}] opens every port


def test_the_preview_runs_the_program_once_and_reads_checks_and_plans_the_stack_once(tmp_path, capsys, monkeypatch):
    import aksnet.pipeline
    import tools.preview
    calls = {"load_spec": 0, "check_stack": 0, "make_plan": 0, "run_program": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper
    import aksnet.rules.registry
    for name in ("load_spec", "check_stack"):
        monkeypatch.setattr(aksnet.pipeline, name, counting(name, getattr(aksnet.pipeline, name)))
    # The registry plans once for the rules that read the plan; the pipeline keeps that plan.
    monkeypatch.setattr(aksnet.rules.registry, "make_plan", counting("make_plan", aksnet.rules.registry.make_plan))
    monkeypatch.setattr(tools.preview, "run_program", counting("run_program", tools.preview.run_program))
    path = tmp_path / "stack.yaml"  # a stack this session has not loaded yet
    path.write_text(yaml.safe_dump({"config": variant(load("dev"), {"aks-networking:environment.tags": {"t": "1"}})}))
    code, _, _ = run(capsys, "dev", "--config", str(path))
    assert code == 0 and calls == {"load_spec": 1, "check_stack": 1, "make_plan": 1, "run_program": 1}


def test_out_replaces_its_own_directory_whole_and_drops_removed_apps(tmp_path, capsys):
    out = tmp_path / "manifests"
    assert run(capsys, "dev", "--out", str(out))[0] == 0
    assert (out / "deployment-development-store.yaml").exists() and (out / ".aks-networking-preview").exists()
    config = load("dev")
    kubernetes = config["aks-networking:kubernetes"]
    kubernetes["apps"] = [a for a in kubernetes["apps"] if a["name"] != "store"]
    kubernetes["flows"] = [f for f in kubernetes["flows"] if "store" not in yaml.safe_dump(f)]
    path = write(tmp_path, config)
    assert run(capsys, "dev", "--config", path, "--out", str(out))[0] == 0
    assert not (out / "deployment-development-store.yaml").exists()
    assert (out / "deployment-development-backend.yaml").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".out-", ".old-"))]


def test_out_refuses_a_file_and_a_directory_it_did_not_write(tmp_path, capsys):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    code, _, err = run(capsys, "dev", "--out", str(a_file))
    assert code == 2 and "is a file" in err
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    code, _, err = run(capsys, "dev", "--out", str(foreign))
    assert code == 2 and "did not write" in err and (foreign / "keep.txt").read_text() == "mine"


def test_a_refused_stack_writes_no_file(tmp_path, capsys):
    config = variant(load("prod"), {"aks-networking:egress.firewall.threatIntelMode": "Alert"})
    out, diagrams = tmp_path / "out", tmp_path / "diagrams"
    code, _, err = run(capsys, "prod", "--config", write(tmp_path, config), "--out", str(out), "--diagram", str(diagrams))
    assert code == 1 and "firewall-threat-intel-deny" in err
    assert not out.exists() and not diagrams.exists()


def test_a_closed_pipe_ends_quietly():
    reader = subprocess.run(f"{sys.executable} -m tools.preview prod --json | head -c 10", shell=True,
                            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert reader.stdout == '{\n  "stack' and "Traceback" not in reader.stderr and "BrokenPipe" not in reader.stderr


def test_without_default_deny_what_policies_leave_open_is_no_finding(tmp_path, capsys):
    """Only namespaces the stack isolates are held to the flows; the rest allow everything, as declared."""
    path = write(tmp_path, variant(load("dev"), {"aks-networking:kubernetes.defaultDeny": False}))
    code, out, _ = run(capsys, "dev", "--config", path, "--json")
    document = json.loads(out)
    assert code == 0 and not [f for f in document["findings"] if f["policy"] == "reachability-matches-intent"]
    assert document["reachability"]  # the open cluster is still reported
