"""The users' CI: least privilege, pinned actions, locked dependencies, drift detection, and the
workflows clean under actionlint and zizmor."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKFLOWS = sorted(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))
BIN = os.path.dirname(sys.executable)
SHA_PIN = re.compile(r"^\s*(?:-\s*)?uses:\s*([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v\d+(\.\d+)*\s*$")


def load(name):
    document = yaml.safe_load(Path(ROOT, ".github", "workflows", name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as true
    return document


def steps(job):
    return job.get("steps", [])


def text(name):
    return Path(ROOT, ".github", "workflows", name).read_text()


def test_the_six_workflows_are_named_and_have_jobs():
    assert [os.path.basename(p) for p in WORKFLOWS] == ["dates.yml", "deploy-landing-zone.yml", "deploy.yml",
                                                        "drift.yml", "offline.yml", "preview.yml"]
    for path in WORKFLOWS:
        document = load(os.path.basename(path))
        assert document["name"] and document["jobs"]
        assert all(job.get("name") for job in document["jobs"].values())


@pytest.mark.parametrize("tool, argv", [
    ("actionlint", []),  # every workflow of the repository
    ("zizmor", ["--offline", "--persona=pedantic", ".github"]),  # workflows and dependabot.yml
])
def test_workflows_have_no_finding(tool, argv):
    """Zero findings, at zizmor's most demanding persona: nothing here is justified away."""
    run = subprocess.run([os.path.join(BIN, tool), *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_action_is_pinned_to_a_full_sha_with_its_version():
    uses = [line for path in WORKFLOWS for line in Path(path).read_text().splitlines() if "uses:" in line]
    assert uses and all(SHA_PIN.match(line) for line in uses), [u for u in uses if not SHA_PIN.match(u)]
    # One version of each action everywhere.
    pins = {}
    for line in uses:
        action, sha = SHA_PIN.match(line).group(1, 2)
        assert pins.setdefault(action, sha) == sha, action


def test_no_stored_secret_and_no_workflow_wide_permission():
    for path in WORKFLOWS:
        body = Path(path).read_text()
        assert "secrets." not in body, path  # OIDC to Azure and Pulumi Cloud; github.token for the rest
        assert "client-secret" not in body and "ARM_CLIENT_SECRET" not in body
        document = load(os.path.basename(path))
        assert document["permissions"] == {}, path
        for name, job in document["jobs"].items():
            assert job.get("timeout-minutes"), f"{path}: {name} has no timeout"
            assert "permissions" in job, f"{path}: {name} states no permissions"
            for step in steps(job):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, path


def test_a_pull_request_preview_cannot_obtain_the_deploy_identity():
    preview = load("preview.yml")
    assert set(preview["on"]) == {"pull_request"}  # never pull_request_target, which runs with the base's secrets
    job = preview["jobs"]["preview"]
    assert set(preview["jobs"]) == {"preview", "review", "review-comment"}
    assert "environment" not in job  # its OIDC subject is `pull_request`, trusted by the preview identity only
    assert job["if"] == "github.event.pull_request.head.repo.full_name == github.repository"  # forks get nothing
    body = text("preview.yml")
    assert "vars.AZURE_PREVIEW_CLIENT_ID" in body and "vars.AZURE_CLIENT_ID" not in body
    assert "PULUMI_DEPLOY_TEAM" not in body and "team:${{ vars.PULUMI_PREVIEW_TEAM }}" in body
    commands = {s["with"]["command"] for s in steps(job) if s.get("uses", "").startswith("pulumi/actions@")}
    assert commands == {"preview"}

    deploy = load("deploy.yml")
    assert deploy["on"] == {"push": {"branches": ["main"]}}
    environments = {name: job["environment"] for name, job in deploy["jobs"].items()}
    assert environments == {"dev": "dev", "prod": "production"}
    for job in deploy["jobs"].values():
        # AZURE_CLIENT_ID is an environment variable of dev and production: each job gets its own.
        logins = [s for s in steps(job) if s.get("uses", "").startswith("azure/login@")]
        assert [s["with"]["client-id"] for s in logins] == ["${{ vars.AZURE_CLIENT_ID }}"]
        assert job["env"]["ARM_CLIENT_ID"] == "${{ vars.AZURE_CLIENT_ID }}"
    assert load("drift.yml")["jobs"]["drift"]["environment"] == "drift"
    # The landing zone's deploys: each job its environment's identity, the hub's and each spoke's its own.
    landing_zone = load("deploy-landing-zone.yml")
    assert landing_zone["on"] == {"push": {"branches": ["main"]}}
    assert {name: job["environment"] for name, job in landing_zone["jobs"].items()} == {
        "hub": "landing-zone-hub", "spokes": "landing-zone-${{ matrix.spoke }}"}
    for job in landing_zone["jobs"].values():
        logins = [s for s in steps(job) if s.get("uses", "").startswith("azure/login@")]
        assert [s["with"]["client-id"] for s in logins] == ["${{ vars.AZURE_CLIENT_ID }}"]
        assert job["env"]["ARM_CLIENT_ID"] == "${{ vars.AZURE_CLIENT_ID }}"
        auth = next(s for s in steps(job) if s.get("uses", "").startswith("pulumi/auth-actions@"))
        assert auth["with"]["scope"] == "team:${{ vars.PULUMI_DEPLOY_TEAM }}"  # the environment's team
    # The Azure set-up page tells how to trust exactly these subjects.
    readme = Path(ROOT, "docs", "azure-setup.md").read_text()
    for subject in ("repo:OWNER/REPO:pull_request", "repo:OWNER/REPO:environment:dev",
                    "repo:OWNER/REPO:environment:production", "repo:OWNER/REPO:environment:drift",
                    *(f"repo:OWNER/REPO:environment:landing-zone-{stack}" for stack in _landing_zone_stacks())):
        assert subject in readme, subject


def _landing_zone_stacks():
    """The hub's name, then the spokes', as landing-zone.yaml lists them."""
    registry = yaml.safe_load(Path(ROOT, "landing-zone.yaml").read_text())
    hub = Path(registry["hub"]["stack"]).name.removeprefix("Pulumi.").removesuffix(".yaml")
    return [hub, *registry["spokes"]]


def _pulumi_step(job):
    return next(s for s in steps(job) if s.get("uses", "").startswith("pulumi/actions@"))


def test_the_landing_zone_deploys_its_hub_then_one_spoke_at_a_time_each_in_its_environment():
    """docs/landing-zone.md, Deployment order: the hub first (its output is what every spoke reads), then
    the spokes, never two at once: Azure updates one rule collection group of a firewall policy at a time.
    max-parallel holds a run's matrix to one job; the workflow's concurrency group holds runs to one, and
    it never cancels one in progress (https://docs.github.com/actions/using-jobs/using-concurrency)."""
    workflow = load("deploy-landing-zone.yml")
    assert workflow["concurrency"] == {"group": "deploy-landing-zone", "cancel-in-progress": False}
    hub, spokes = workflow["jobs"]["hub"], workflow["jobs"]["spokes"]
    assert "needs" not in hub and spokes["needs"] == "hub"
    assert "concurrency" not in spokes  # a group's pending job is cancelled when another queues: spokes would drop
    assert spokes["strategy"]["max-parallel"] == 1 and spokes["strategy"]["fail-fast"] is False
    hub_name, *spoke_names = _landing_zone_stacks()
    assert hub_name == "hub" and spokes["strategy"]["matrix"] == {"spoke": spoke_names}
    # Each with the policy pack at its own levels; the hub from its project's directory, hub/.
    up = _pulumi_step(hub)["with"]
    assert (up["command"], up["work-dir"], up["stack-name"]) == ("up", "hub", "${{ vars.PULUMI_ORG }}/aks-networking/hub")
    assert (up["policyPacks"], up["policyPackConfigs"]) == ("../policies", "../policies/config/hub.json")
    assert Path(ROOT, "hub", up["policyPackConfigs"]).is_file() and Path(ROOT, "hub", "Pulumi.yaml").is_file()
    up = _pulumi_step(spokes)["with"]
    assert "work-dir" not in up and up["command"] == "up"
    assert up["stack-name"] == "${{ vars.PULUMI_ORG }}/aks-networking/${{ matrix.spoke }}"
    assert (up["policyPacks"], up["policyPackConfigs"]) == ("policies", "policies/config/${{ matrix.spoke }}.json")
    for spoke in spoke_names:
        assert Path(ROOT, f"policies/config/{spoke}.json").is_file() and Path(ROOT, f"Pulumi.{spoke}.yaml").is_file()


def test_the_pull_request_preview_covers_every_stack_of_the_landing_zone():
    jobs = load("preview.yml")["jobs"]
    assert jobs["preview"]["strategy"]["matrix"]["stack"] == ["dev", "prod", *_landing_zone_stacks()]
    preview = _pulumi_step(jobs["preview"])["with"]
    assert preview["work-dir"] == "${{ matrix.stack == 'hub' && 'hub' || '.' }}"
    assert preview["policyPacks"] == "${{ matrix.stack == 'hub' && '../policies' || 'policies' }}"
    assert preview["policyPackConfigs"] == "${{ matrix.stack == 'hub' && '../' || '' }}policies/config/${{ matrix.stack }}.json"
    run = "\n".join(s.get("run", "") for s in steps(jobs["review"]))
    assert ".venv/bin/python -m tools.preview --landing-zone landing-zone.yaml" in run
    assert "cat review-dev.md review-prod.md review-landing-zone.md" in run


def test_the_change_review_runs_for_every_pull_request_and_comments_only_from_the_repository():
    """Forks get the review in the job summary with a read-only token; a comment needs a write token,
    which only same-repository pull requests get without pull_request_target or workflow_run."""
    jobs = load("preview.yml")["jobs"]
    review, comment = jobs["review"], jobs["review-comment"]
    assert "if" not in review and review["permissions"] == {"contents": "read"}
    run = "\n".join(s.get("run", "") for s in steps(review))
    assert 'tools.review "$stack" --base "$BASE_SHA:Pulumi.$stack.yaml" --markdown' in run
    assert "for stack in dev prod" in run and "$GITHUB_STEP_SUMMARY" in run
    assert comment["permissions"] == {"pull-requests": "write"}
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    assert not [s for s in steps(comment) if "uses" in s]  # runs none of the pull request's code
    assert "pull_request_target" not in text("preview.yml") and "workflow_run" not in text("preview.yml")


def test_tokens_only_where_a_job_needs_them():
    for path in WORKFLOWS:
        for name, job in load(os.path.basename(path))["jobs"].items():
            uses_oidc = any(s.get("uses", "").startswith(("azure/login@", "pulumi/auth-actions@")) for s in steps(job))
            assert (job["permissions"].get("id-token") == "write") == uses_oidc, f"{path}: {name}"


def test_deploys_queue_per_environment_and_previews_cancel_superseded_runs():
    deploy = load("deploy.yml")
    assert "concurrency" not in deploy  # a prod approval must not hold back dev
    assert {job["concurrency"]["group"]: job["concurrency"]["cancel-in-progress"]
            for job in deploy["jobs"].values()} == {"deploy-dev": False, "deploy-production": False}
    assert deploy["jobs"]["prod"]["needs"] == "dev"
    preview = load("preview.yml")["concurrency"]
    assert preview["cancel-in-progress"] is True and "pull_request.number" in preview["group"]


def test_the_pulumi_cli_is_pinned_to_the_locked_sdk_version():
    lock = Path(ROOT, "requirements.lock").read_text()
    sdk = re.search(r"^pulumi==(\S+)$", lock, re.M).group(1)
    for path in WORKFLOWS:
        for job in load(os.path.basename(path))["jobs"].values():
            for step in steps(job):
                if step.get("uses", "").startswith("pulumi/actions@"):
                    assert step["with"]["pulumi-version"] == sdk, path


def test_programs_install_from_the_lock_file_and_deploys_use_no_cache():
    for name in ("preview.yml", "deploy.yml", "deploy-landing-zone.yml", "drift.yml"):
        runs = [s["run"] for job in load(name)["jobs"].values() for s in steps(job) if "run" in s and "pip" in s["run"]]
        assert runs and all("-c requirements.lock" in line for run in runs for line in run.splitlines()), name
    for name in ("deploy.yml", "deploy-landing-zone.yml", "drift.yml"):  # a cache written by another run must not reach a deploying job
        assert "cache:" not in text(name)
    for name in ("preview.yml", "offline.yml"):
        assert "cache: pip" in text(name)


def test_offline_tests_every_supported_python_and_the_lowest_versions():
    jobs = load("offline.yml")["jobs"]
    assert jobs["test"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert any(s.get("run") == "make test" for s in steps(jobs["test"]))
    assert any(s.get("run") == "make test-lowest" for s in steps(jobs["lowest"]))
    makefile = Path(ROOT, "Makefile").read_text()
    assert "--resolution lowest-direct" in makefile and "-c $(LOCK)" in makefile


def test_drift_runs_a_refreshed_preview_daily_and_reports_in_an_issue():
    drift = load("drift.yml")
    assert drift["on"]["schedule"] and "workflow_dispatch" in drift["on"]
    job = drift["jobs"]["drift"]
    preview = next(s for s in steps(job) if s.get("uses", "").startswith("pulumi/actions@"))
    assert preview["with"]["refresh"] is True and preview["with"]["expect-no-changes"] is True
    report = next(s for s in steps(job) if s.get("if") == "steps.preview.outcome == 'failure'")
    assert "gh issue create" in report["run"] and "gh issue comment" in report["run"]
    assert job["permissions"]["issues"] == "write"


def test_dependabot_updates_actions_and_pip():
    config = yaml.safe_load(Path(ROOT, ".github", "dependabot.yml").read_text())
    assert {u["package-ecosystem"] for u in config["updates"]} == {"github-actions", "pip"}


def test_the_policy_pack_has_a_version():
    pack = yaml.safe_load(Path(ROOT, "policies", "PulumiPolicy.yaml").read_text())
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(pack["version"]))


def _virtualenv(settings_file):
    return yaml.safe_load(Path(ROOT, settings_file).read_text())["runtime"]["options"]["virtualenv"]


def test_the_workflows_make_the_virtualenvs_the_cli_runs_from_the_files_it_would_read():
    """The CLI runs the program with Pulumi.yaml's virtualenv and the pack with PulumiPolicy.yaml's; it makes
    the program's from requirements.txt when missing and never the pack's (docs/running.md)."""
    program, pack = _virtualenv("Pulumi.yaml"), os.path.join("policies", _virtualenv("policies/PulumiPolicy.yaml"))
    assert (program, pack) == (".venv", "policies/venv")
    made = {"deploy.yml": {program, pack}, "deploy-landing-zone.yml": {program, pack}, "preview.yml": {program, pack},
            "drift.yml": {program}}
    assert _virtualenv("hub/Pulumi.yaml") == f"../{program}"  # the hub's project runs the root's virtualenv
    for name, virtualenvs in made.items():
        lines = [line.strip() for job in load(name)["jobs"].values() for s in steps(job) if "pip" in s.get("run", "")
                 for line in s["run"].splitlines()]
        expected = {f"python -m venv {program} && {program}/bin/pip install -r requirements.txt -c requirements.lock",
                    f"python -m venv {pack} && {pack}/bin/pip install -r policies/requirements.txt -c requirements.lock"}
        assert set(lines) == {line for line in expected if line.split()[3] in virtualenvs}, name
        assert "pulumi-analyzer-policy-python" in text(name) or name == "drift.yml"
        assert "languages-sdks/python/#virtual-environments" in text(name)


def test_ci_runs_the_program_and_the_pack_in_virtualenvs_of_their_own_files_after_the_tests(monkeypatch):
    from tools.isolated_env_check import default_cache
    monkeypatch.delenv("AKSNET_VENV_CACHE", raising=False)
    run = Path(ROOT, ".ci", "run").read_text().splitlines()
    assert run.index(".venv/bin/python -m tools.isolated_env_check") > run.index("make test")
    offline = [s.get("run") for s in steps(load("offline.yml")["jobs"]["test"])]
    assert offline.index(".venv/bin/python -m tools.isolated_env_check") > offline.index("make test")
    cache = next(s for s in steps(load("offline.yml")["jobs"]["test"]) if s.get("uses", "").startswith("actions/cache@"))
    assert os.path.expanduser(cache["with"]["path"]) == default_cache()
    for name in ("requirements.txt", "policies/requirements.txt", "requirements.lock"):
        assert name in cache["with"]["key"]
