"""The program and the policy pack, each in a virtualenv made from its own requirement file alone.

    python -m tools.isolated_env_check [--cache DIR]

The Pulumi CLI makes the program's virtualenv from `requirements.txt` and the pack's from
`policies/requirements.txt` (docs/running.md); the development virtualenv holds both and every
tool, so a run there proves nothing about them. This makes the two virtualenvs as the CLI would
(`pip install -r FILE`, here with `-c requirements.lock`, as the workflows do), then:

1. runs `__main__.py` under the mock engine for dev and prod in the program's virtualenv, in an
   isolated interpreter (`python -I`: no PYTHONPATH, no user site-packages), and checks that it
   registers the same resources as in the development virtualenv;
2. starts the pack from its virtualenv as the CLI starts it (`python -m pulumi.policy`), feeds it
   those resources over gRPC, and checks that it reports what the offline preview finds.

Each virtualenv is kept under the cache directory (`--cache`, else $AKSNET_VENV_CACHE, else
~/.cache/aks-networking/venvs), named by the sha256 of its requirement file, the lock file and the
Python version: a change to any of them makes a new one. Exit 0 when everything holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence

from tools.mock_engine import PROJECT_DIR, run_program

LOCK = "requirements.lock"
VIRTUALENVS = {"program": "requirements.txt", "pack": os.path.join("policies", "requirements.txt")}
STACKS = ("dev", "prod")
DONE = ".installed"
"""Written last into a virtualenv whose install finished: one without it is made again."""

# What runs in the program's virtualenv: the mock engine and the real program, nothing of the dev one.
RUN_PROGRAM = """
import json, sys
sys.path.insert(0, sys.argv[1])
from tools.mock_engine import run_program
result = run_program(sys.argv[2], json.load(sys.stdin))
if result.error is not None:
    import traceback
    traceback.print_exception(result.error)
    sys.exit(1)
json.dump([{"type": r.type, "name": r.name, "urn": r.urn, "custom": r.custom, "inputs": r.inputs}
           for r in result.records], sys.stdout, default=str)
"""


def default_cache() -> str:
    return os.environ.get("AKSNET_VENV_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "aks-networking",
                                                               "venvs")


def key(requirements: str) -> str:
    """What the virtualenv is made of: the requirement file, the lock file and the Python version."""
    digest = hashlib.sha256()
    for name in (requirements, LOCK):
        with open(os.path.join(PROJECT_DIR, name), "rb") as handle:
            digest.update(handle.read())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def virtualenv(name: str, requirements: str, cache: str) -> tuple[str, str]:
    """The Python of a virtualenv made from `requirements -c requirements.lock` alone, and whether it was
    made now or found in the cache."""
    path = os.path.join(cache, f"{name}-py{sys.version_info.major}{sys.version_info.minor}-{key(requirements)}")
    python = os.path.join(path, "bin", "python")
    if os.path.exists(os.path.join(path, DONE)) and \
            subprocess.run([python, "-c", "pass"], capture_output=True).returncode == 0:
        return python, "reused"
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(cache, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", path], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", os.path.join(PROJECT_DIR, requirements), "-c", os.path.join(PROJECT_DIR, LOCK)], check=True)
    with open(os.path.join(path, DONE), "w", encoding="utf-8") as handle:
        handle.write(f"pip install -r {requirements} -c {LOCK}\n")
    return python, "made"


def run_isolated(python: str, stack: str, config: dict) -> list[dict]:
    """The program's resources, run for `stack` by `python` in an isolated interpreter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}
    done = subprocess.run([python, "-I", "-c", RUN_PROGRAM, PROJECT_DIR, stack], input=json.dumps(config),
                          capture_output=True, text=True, cwd=PROJECT_DIR, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{stack}: the program failed in {os.path.dirname(os.path.dirname(python))}:\n{done.stderr}")
    return list(json.loads(done.stdout))


def check_stack(stack: str, program_python: str, pack_python: str) -> list[str]:
    """What differs between the isolated virtualenvs and the development one for a stack; empty when nothing."""
    from aksnet.pipeline import load_stack
    from aksnet.rules.registry import RecordedResource
    from tools.pack_client import configure, in_pack_words, pack_process, violations
    from tools.policy_check import enforcement
    from tools.preview import analyze
    from tools.stackfile import read_stack_file, stack_file_path

    config = dict(read_stack_file(stack_file_path(stack)).config)
    isolated = run_isolated(program_python, stack, config)
    here = run_program(stack, config)
    if here.error is not None:
        return [f"{stack}: the program fails in the development virtualenv: {here.error}"]
    problems = []
    if sorted(r["urn"] for r in isolated) != sorted(r.urn for r in here.records):
        problems.append(f"{stack}: the program registers other resources in its own virtualenv than in the "
                        "development one")
    loaded = load_stack(config, stack)
    expected = in_pack_words(loaded, analyze(loaded, stack, here).findings)
    resources = [RecordedResource(r["type"], r["name"], r["urn"], r["inputs"]) for r in isolated if r["custom"]]
    production = loaded.spec.environment.production
    with pack_process(stack, config, python=pack_python) as pack:
        configure(pack, enforcement(stack, production))
        answered = violations(pack, resources)
    if answered != expected:
        problems.append(f"{stack}: the pack from its own virtualenv reports {answered}; the offline preview "
                        f"finds {expected}")
    print(f"{stack}: {len(isolated)} resources from the program's virtualenv, as in the development one; the pack "
          f"from its virtualenv answered {len(answered)} findings over gRPC, "
          f"{'the offline preview' if answered == expected else 'NOT the offline preview'}'s "
          f"({sum(1 for p, _ in answered if enforcement(stack, production).get(p) == 'mandatory')} mandatory)")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.isolated_env_check", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=default_cache(), help="where the virtualenvs are kept")
    args = parser.parse_args(argv)
    os.environ["PYTHONNOUSERSITE"] = "1"  # the pack's interpreter sees its virtualenv and the standard library only
    pythons = {}
    for name, requirements in VIRTUALENVS.items():
        started = time.monotonic()
        pythons[name], how = virtualenv(name, requirements, args.cache)
        print(f"{name}: virtualenv from {requirements} -c {LOCK} alone, {how} in {time.monotonic() - started:.0f} s "
              f"({os.path.dirname(os.path.dirname(pythons[name]))})")
    problems = [p for stack in STACKS for p in check_stack(stack, pythons["program"], pythons["pack"])]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
