"""tools.reach as a command: exit codes and one line per object it cannot use."""

import json
import subprocess
import sys

import yaml

from tools import reach
from tools.mock_engine import PROJECT_DIR


def test_invalid_objects_are_one_line_each_and_the_rest_is_still_evaluated(tmp_path, capsys):
    good = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "x", "labels": {"pod": "a"}}},
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b", "namespace": "x", "labels": {"pod": "b"}}}]
    bad = [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "x"},
            "spec": {"podSelector": {"matchExpressions": [{"key": "pod", "operator": "Near"}]}}},
           {"apiVersion": "extensions/v1beta1", "kind": "NetworkPolicy", "metadata": {"name": "old", "namespace": "x"},
            "spec": {}}]
    (tmp_path / "good.yaml").write_text(yaml.safe_dump_all(good))
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump_all(bad))
    (tmp_path / "broken.yml").write_text("kind: Pod\nmetadata: {name: [\n")
    code = reach.main([str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 3 and any("Near" in line for line in lines) and any("networking.k8s.io/v1" in line for line in lines)
    assert any("broken.yml" in line for line in lines) and "Traceback" not in err
    allowed = json.loads(out)["allowed"]
    assert {"from": "x/a", "to": "x/b", "ports": "all"} in allowed


def test_human_output_is_a_matrix_for_small_clusters(tmp_path, capsys):
    objects = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n, "namespace": "x", "labels": {"pod": n}}}
               for n in "ab"]
    (tmp_path / "c.yaml").write_text(yaml.safe_dump_all(objects))
    assert reach.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "from \\ to" in out and "Ports: . none; A all" in out


def test_missing_path_is_a_usage_error():
    completed = subprocess.run([sys.executable, "-m", "tools.reach", "/no/such/dir"], cwd=PROJECT_DIR,
                               capture_output=True, text=True)
    assert completed.returncode == 2 and "no such file or directory" in completed.stderr
