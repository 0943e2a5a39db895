"""The users' CI: valid workflows, Pulumi's action, OIDC to Azure, no stored cloud secret."""

import glob
import os
import re
from pathlib import Path

import yaml

WORKFLOWS = sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(__file__)), ".github", "workflows", "*.yml")))


def load(name):
    return yaml.safe_load(open(next(p for p in WORKFLOWS if p.endswith(name))))


def steps(workflow):
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_workflows_are_valid_yaml_with_jobs():
    assert len(WORKFLOWS) == 3
    for path in WORKFLOWS:
        document = yaml.safe_load(Path(path).read_text())
        assert document["jobs"] and document["name"]


def test_previews_and_ups_use_pulumi_actions_with_the_policy_pack():
    for name, command in (("preview.yml", "preview"), ("deploy.yml", "up")):
        pulumi = [s for s in steps(load(name)) if s.get("uses", "").startswith("pulumi/actions@")]
        assert pulumi and all(s["with"]["command"] == command and s["with"]["policyPacks"] == "policies"
                              for s in pulumi)


def test_no_stored_cloud_secret_and_oidc_permission():
    for path in WORKFLOWS:
        text = Path(path).read_text()
        assert set(re.findall(r"secrets\.([A-Z_]+)", text)) <= {"PULUMI_ACCESS_TOKEN", "GITHUB_TOKEN"}, path
        assert "client-secret" not in text and "ARM_CLIENT_SECRET" not in text and "AZURE_CREDENTIALS" not in text
    for name in ("preview.yml", "deploy.yml"):
        assert load(name)["permissions"]["id-token"] == "write"


def test_prod_deploys_after_dev_behind_an_approval_environment():
    jobs = load("deploy.yml")["jobs"]
    assert jobs["prod"]["needs"] == "dev" and jobs["prod"]["environment"] == "production"


def test_offline_job_runs_make_test_and_both_previews():
    runs = " ".join(s.get("run", "") for s in steps(load("offline.yml")))
    assert "make test" in runs and "tools.preview dev" in runs and "tools.preview prod" in runs
