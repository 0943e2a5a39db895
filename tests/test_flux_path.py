"""The GitOps path as Flux documents it: a directory from the repository's root, written
`./deploy/prod` in Flux's own examples (https://fluxcd.io/flux/components/kustomize/kustomizations/#path)
and in Microsoft's GitOps tutorial, or `deploy/prod`; never a path that leaves the repository."""

import pytest
import yaml

from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from tests.stacks import load, variant
from tools import render

PATH = "aks-networking:kubernetes.gitops.path"


@pytest.mark.parametrize("path", ["./deploy/prod", "deploy/prod", "deploy/prod/", "./clusters/prod.westeurope",
                                  "./kustomize"])
def test_a_path_written_as_flux_writes_it_is_accepted(path):
    spec = load_stack(variant(load("prod"), {PATH: path}), "prod").spec
    assert spec.kubernetes.gitops is not None and spec.kubernetes.gitops.path == path  # Flux gets it as written


@pytest.mark.parametrize("path,fragment", [("../deploy", "steps through . or .."),
                                           ("deploy/../../etc", "steps through . or .."),
                                           ("./deploy/./prod", "steps through . or .."),
                                           ("/deploy/prod", "a directory from the repository's root"),
                                           ("deploy//prod", "a directory from the repository's root")])
def test_a_path_outside_a_directory_of_the_repository_is_refused(path, fragment):
    with pytest.raises(ConfigError) as refused:
        load_stack(variant(load("prod"), {PATH: path}), "prod")
    lines = [str(p) for p in refused.value.problems]
    assert len(lines) == 1 and PATH in lines[0] and fragment in lines[0], lines


def test_the_committed_render_is_current_under_the_dotted_form(tmp_path):
    stack_file = tmp_path / "stack.yaml"
    stack_file.write_text(yaml.safe_dump({"config": variant(load("prod"), {PATH: "./deploy/prod"})}))
    assert render.main(["prod", "--config", str(stack_file), "--check"]) == 0
