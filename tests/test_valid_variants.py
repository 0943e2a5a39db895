"""Valid input is accepted: variants of both committed stacks that stay within every rule (new
namespaces, apps, flows, authorized ranges, VM sizes of the catalog) load, and a few preview with
exit 0 through the whole program. Over-refusal is a defect as much as under-refusal.

What "valid" means here comes from the sources the rules cite, not from the rules: DNS labels for
names (RFC 1123/1035), the image reference grammar (distribution/reference), labels unique to each
app (a selector selects only its app's pods), distinct ports per app, sizes from the size pages
that meet use-system-pools' minimum and have a local disk where the pool asks for an ephemeral one.
"""

import copy
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aksnet.config.vm_sizes import catalog
from aksnet.pipeline import load_stack
from tests.stacks import load
from tools import preview

STACKS = {name: load(name) for name in ("dev", "prod")}
K8S = "aks-networking:kubernetes"
TAKEN = {"kube-system", "kube-public", "kube-node-lease", "default", "app-routing-system", "gatekeeper-system",
         "flux-system", "development", "shop", "calico-system", "tigera-operator"}

label = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
path_component = st.from_regex(r"[a-z0-9]{1,6}([._-][a-z0-9]{1,4})?", fullmatch=True)
tag = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,10}", fullmatch=True)
SYSTEM_SIZES = sorted(n for n, s in catalog().items()
                      if s.vcpus >= 4 and s.memory_gb >= 4 and s.architecture == "x64" and not s.family.startswith("B"))
EPHEMERAL_SIZES = sorted(n for n, s in catalog().items() if s.ephemeral_os_disk and s.architecture == "x64")
SYSTEM_EPHEMERAL_SIZES = sorted(set(SYSTEM_SIZES) & set(EPHEMERAL_SIZES))
ANY_SIZES = sorted(catalog())


@st.composite
def valid_variant(draw):
    stack = draw(st.sampled_from(sorted(STACKS)))
    config = copy.deepcopy(STACKS[stack])
    k8s = config[K8S]
    home = k8s["namespaces"][0]["name"]
    names = draw(st.lists(label.filter(lambda n: n not in TAKEN), min_size=1, max_size=3, unique=True))
    new_namespace = f"ns-{names[0]}"
    k8s["namespaces"].append({"name": new_namespace, "labels": {"team": names[0]}})
    existing = [(a["namespace"], a["name"], a["ports"][0]["port"]) for a in k8s["apps"]]
    for index, name in enumerate(names):
        namespace = draw(st.sampled_from([home, new_namespace]))
        ports = draw(st.lists(st.integers(1024, 9000), min_size=1, max_size=3, unique=True))
        repository = "/".join(draw(st.lists(path_component, min_size=1, max_size=3)))
        image = (f"platform://{repository}:{draw(tag)}" if stack == "prod"
                 else f"docker.io/{repository}:{draw(tag)}")
        app = {"name": f"app-{name}", "namespace": namespace, "image": image,
               "labels": {"app": f"app-{name}", "generated": "yes"},
               "ports": [{"name": f"p{i}", "port": p} for i, p in enumerate(ports)]}
        k8s["apps"].append(app)
        target_namespace, target, port = draw(st.sampled_from(existing))
        k8s["flows"].append({"name": f"gen-{index}-to-{target}", "from": {"app": app["name"], "namespace": namespace},
                             "to": {"app": target, "namespace": target_namespace}, "ports": [f"TCP/{port}"]})
        existing.append((namespace, app["name"], ports[0]))
    cluster = config["aks-networking:cluster"]
    pools = cluster["nodePools"]
    pools[0]["vmSize"] = draw(st.sampled_from(SYSTEM_EPHEMERAL_SIZES if pools[0].get("osDiskType") == "Ephemeral"
                                              else SYSTEM_SIZES))
    if len(pools) > 1:
        pools[1]["vmSize"] = draw(st.sampled_from(EPHEMERAL_SIZES))
    else:
        pools.append({"name": "user", "mode": "User", "vmSize": draw(st.sampled_from(ANY_SIZES)), "count": 1})
    if not cluster.get("private"):
        extra = draw(st.lists(st.sampled_from(["198.51.100.0/24", "198.51.100.7/32", "192.0.2.0/28", "20.1.2.0/24"]),
                              max_size=2, unique=True))
        cluster["authorizedIpRanges"] = [*cluster.get("authorizedIpRanges", []), *extra]
    return stack, config


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_variant())
def test_every_valid_variant_loads(case):
    stack, config = case
    load_stack(config, stack)  # raises ConfigError with the problems of an over-refusal


@settings(max_examples=2, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(valid_variant())
def test_valid_variants_preview_with_exit_0(tmp_path, capsys, case):
    stack, config = case
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": json.loads(json.dumps(config))}))
    code = preview.main([stack, "--config", str(path)])
    err = capsys.readouterr().err
    assert code == 0 and err == "", err
