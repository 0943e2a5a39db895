"""GitOps delivery: the Flux extension and configuration, and a complete, reproducible render."""

from pathlib import Path

import pytest
import yaml

from aksnet.config.problems import ConfigError
from tests.stacks import load, validate_stack_config, variant
from tools import render


@pytest.mark.golden
def test_the_committed_render_of_prod_is_up_to_date():
    assert render.main(["prod", "--check"]) == 0, "run: make render STACK=prod, and commit deploy/prod"


def test_a_render_is_the_same_bytes_every_time_and_drops_what_the_stack_dropped(tmp_path, capsys):
    committed = {p.name: p.read_bytes() for p in Path(render.__file__).resolve().parents[1].joinpath("deploy", "prod").iterdir()}
    assert render.main(["prod", "--root", str(tmp_path)]) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "deploy" / "prod").iterdir()}
    assert render.main(["prod", "--root", str(tmp_path)]) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "deploy" / "prod").iterdir()} == first
    config = load("prod")
    kubernetes = config["aks-networking:kubernetes"]
    kubernetes["apps"] = [a for a in kubernetes["apps"] if a["name"] != "cache"]
    kubernetes["flows"] = [f for f in kubernetes["flows"] if "cache" not in yaml.safe_dump(f)]
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    assert render.main(["prod", "--config", str(path), "--root", str(tmp_path)]) == 0
    names = {p.name for p in (tmp_path / "deploy" / "prod").iterdir()}
    assert "deployment-shop-cache.yaml" in first and not any("cache" in n for n in names)
    # the committed render is untouched by renders to another root
    assert {p.name: p.read_bytes() for p in Path(render.__file__).resolve().parents[1].joinpath("deploy", "prod").iterdir()} == committed


def test_prod_installs_flux_and_points_it_at_the_render(prod, dev):
    extension = prod.one("azure-native:kubernetesconfiguration:Extension")
    assert extension.inputs["extensionType"] == "microsoft.flux"
    # on the Stable train, taking each minor release (and its fixes) as Microsoft ships it, rather than
    # staying on the version first installed until someone upgrades it by hand
    # (https://learn.microsoft.com/azure/azure-arc/kubernetes/extensions#upgrade-an-extension-instance)
    assert (extension.inputs["releaseTrain"], extension.inputs["autoUpgradeMinorVersion"]) == ("Stable", True)
    flux = prod.one("azure-native:kubernetesconfiguration:FluxConfiguration")
    assert flux.inputs["gitRepository"]["url"] == "https://github.com/contoso/aks-networking"
    # a Git source is read only as sourceKind GitRepository (Bucket and AzureBlob read their own blocks), and
    # a cluster-scoped configuration may apply the layer's Namespaces and objects in every namespace
    # (https://learn.microsoft.com/rest/api/kubernetesconfiguration/flux-configurations/create-or-update)
    assert (flux.inputs["sourceKind"], flux.inputs["scope"], flux.inputs["namespace"]) == \
        ("GitRepository", "cluster", "flux-system")
    assert flux.inputs["gitRepository"]["repositoryRef"] == {"branch": "main"}
    assert flux.inputs["kustomizations"]["layer"]["path"] == "deploy/prod"
    assert flux.inputs["kustomizations"]["layer"]["prune"] is True
    assert extension.urn in flux.dependencies
    assert not [r for r in prod.records if r.type.startswith("kubernetes:")]  # nothing applied from outside
    assert dev.of_type("azure-native:kubernetesconfiguration:Extension") == []


def test_the_firewall_lets_flux_reach_its_data_plane_and_the_git_host(prod):
    group = next(g for g in prod.of_type("azure-native:network:FirewallPolicyRuleCollectionGroup")
                 if g.inputs["ruleCollectionGroupName"] == "aks-egress")
    rules = {r["name"]: r for c in group.inputs["ruleCollections"] for r in c["rules"]}
    assert rules["gitops"]["targetFqdns"] == ["westeurope.dp.kubernetesconfiguration.azure.com", "github.com"]


@pytest.mark.parametrize("changes,key", [
    ({"aks-networking:kubernetes.gitops": __import__("tests.stacks", fromlist=["DELETE"]).DELETE},
     "aks-networking:kubernetes.gitops"),
    ({"aks-networking:kubernetes.renderDir": "rendered/prod"}, "aks-networking:kubernetes.renderDir"),
    ({"aks-networking:kubernetes.gitops.url": "github.com/contoso/x"}, "aks-networking:kubernetes.gitops.url"),
])
def test_gitops_settings_are_checked(changes, key):
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(variant(load("prod"), changes), "prod")
    assert key in [p.path for p in refused.value.problems]
