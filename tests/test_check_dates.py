"""`make check-dates`: a dated fact checked more than 60 days ago fails, naming the page to re-read;
the weekly workflow runs it. Every day here is pinned: the calendar alone never turns this red."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import yaml

from aksnet.config.lifecycle import Checked
from tests.pinned_day import PINNED_DAY
from tools import check_dates

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
D = datetime.date
PAGE = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"


def run(*argv):
    """The tool as the workflow runs it: no site-packages (`-S`), so the standard library must do."""
    return subprocess.run([sys.executable, "-S", "-m", "tools.check_dates", *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={k: v for k, v in os.environ.items() if k != "AKSNET_TODAY"})


def test_a_check_sixty_days_old_passes_and_sixty_one_fails_naming_the_page_and_file():
    source = [("aksnet/config/lifecycle.py", Checked(PAGE, D(2026, 12, 7)))]
    assert check_dates.problems(D(2027, 2, 5), source) == []
    (line,) = check_dates.problems(D(2027, 2, 6), source)
    assert line.startswith(f"aksnet/config/lifecycle.py: {PAGE} was checked on 2026-12-07, 61 days before 2027-02-06")
    assert "re-read that page" in line


def test_a_check_date_after_today_is_refused_as_a_typo():
    (line,) = check_dates.problems(D(2026, 12, 7), [("aksnet/plan/outbound.py", Checked(PAGE, D(2027, 12, 7)))])
    assert "has the check date 2027-12-07, after 2026-12-07" in line


def test_every_dated_table_is_checked_lifecycle_outbound_endpoints_regions_ingress_charts_provider_rules():
    files = {path for path, _ in check_dates.dated_sources()}
    assert files == {"aksnet/config/lifecycle.py", "aksnet/plan/outbound.py", "aksnet/config/regions.py",
                     "aksnet/config/ingress_controllers.py", "aksnet/review/provider_rules.py"}
    sources = {checked.source for _, checked in check_dates.dated_sources()}
    assert "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress" in sources
    assert any(source.startswith(PAGE) for source in sources)


def test_the_committed_tables_are_fresh_on_the_pinned_day_without_the_virtualenv():
    done = run("--today", PINNED_DAY.isoformat())
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "each checked within 60 days of 2026-12-07" in done.stdout


def test_an_aged_table_fails_and_names_each_page_to_re_read():
    oldest = min(checked.on for _, checked in check_dates.dated_sources())
    late = oldest + datetime.timedelta(days=61)
    done = run("--today", late.isoformat())
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines and all("was checked on" in line and "re-read that page" in line for line in lines)
    assert any("outbound-rules-control-egress" in line for line in lines)


def test_make_check_dates_runs_the_tool_and_the_weekly_workflow_runs_make_check_dates():
    makefile = Path(ROOT, "Makefile").read_text()
    assert "check-dates:\n\t$(PYTHON) -m tools.check_dates\n" in makefile
    workflow = yaml.safe_load(Path(ROOT, ".github", "workflows", "dates.yml").read_text())
    triggers = workflow.pop(True)  # YAML 1.1 reads the key `on` as true
    (cron,) = (entry["cron"] for entry in triggers["schedule"])
    _minute, _hour, day, month, weekday = cron.split()
    assert (day, month) == ("*", "*") and weekday.isdigit()  # once a week
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert [step["run"] for step in job["steps"] if "run" in step] == ["make check-dates"]


def test_an_ingress_chart_pin_read_too_long_ago_fails_naming_its_file():
    assert any(line.startswith("aksnet/config/ingress_controllers.py: ") and "gateway-helm" in line
               for line in check_dates.problems(datetime.date(2027, 2, 20), check_dates.dated_sources()))
