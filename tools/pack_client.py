"""The policy pack as the Pulumi CLI runs it: its own process, in its own virtualenv, spoken to over gRPC.

The CLI starts a Python pack through its `pulumi-analyzer-policy-python` script, which runs
`python -u -m pulumi.policy ENGINE_ADDRESS PACK_DIRECTORY` with the Python of the pack's virtualenv
(PulumiPolicy.yaml `runtime.options.virtualenv`), in the pack's directory, with the stack's config
in `PULUMI_CONFIG` and its project, stack and dry-run flag beside it
(pulumi/pulumi: `sdk/python/dist/pulumi-analyzer-policy-python`, `sdk/python/lib/pulumi/policy/__main__.py`,
`sdk/go/common/resource/plugin/analyzer_plugin.go`). The pack prints its port and serves the
Analyzer protocol. The tests (tests/test_policy_pack_grpc.py) and the check of the isolated
virtualenvs (tools/isolated_env_check.py) start it and speak to it with these functions.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import grpc  # type: ignore[import-untyped]  # no stubs in the lock
from google.protobuf import struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from aksnet.rules.registry import RULES, subject, unregistered_objects
from tools.mock_engine import PROJECT, PROJECT_DIR, flatten_config

if TYPE_CHECKING:
    from aksnet.pipeline import LoadedStack

POLICIES_DIR = os.path.join(PROJECT_DIR, "policies")
PROTO_LEVELS = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY,
                "disabled": analyzer_pb2.DISABLED}
"""A policy level in the Analyzer protocol's words, as the engine configures a pack."""
UNUSED_ENGINE = "127.0.0.1:1"
"""The engine's address the CLI passes; the pack logs through it only when the engine configures it."""


@contextlib.contextmanager
def pack_process(stack: str, config: Mapping[str, Any], python: str = sys.executable
                 ) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The pack started for a stack as the engine starts it, with `python` (its virtualenv's)."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update({"PULUMI_CONFIG": json.dumps(flatten_config(config)), "PULUMI_PROJECT": PROJECT,
                "PULUMI_STACK": stack, "PULUMI_DRY_RUN": "true"})
    pack = subprocess.Popen([python, "-u", "-m", "pulumi.policy", UNUSED_ENGINE, POLICIES_DIR], env=env,
                            cwd=POLICIES_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert pack.stdout is not None and pack.stderr is not None
        line = pack.stdout.readline().decode().strip()
        if not line.isdigit():
            pack.kill()
            raise RuntimeError(f"the pack did not start ({python}): {line}\n{pack.stderr.read().decode()}")
        channel = grpc.insecure_channel(f"127.0.0.1:{line}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        pack.kill()
        pack.wait()


def struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(json.loads(json.dumps(props, default=str)))
    return message


def configure(stub: analyzer_pb2_grpc.AnalyzerStub, levels: Mapping[str, str]) -> None:
    """Each policy's level, as `--policy-pack-config` hands them to the pack."""
    stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={
        name: analyzer_pb2.PolicyConfig(enforcementLevel=PROTO_LEVELS[level]) for name, level in levels.items()}))


def violations(stub: analyzer_pb2_grpc.AnalyzerStub, resources: Sequence[Any]) -> list[tuple[str, str]]:
    """(policy, message) of every violation of each resource (`Analyze`) and of all of them (`AnalyzeStack`).
    A resource has `resource_type`, `name`, `urn` and `props`; the analyzer puts the policy's
    description before the message, which this leaves out."""
    found: list[tuple[str, str]] = []
    for r in resources:
        response = stub.Analyze(analyzer_pb2.AnalyzeRequest(type=r.resource_type, properties=struct(r.props),
                                                            urn=r.urn, name=r.name))
        found += [(d.policyName, d.message.split("\n", 1)[-1]) for d in response.diagnostics]
    response = stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=[
        analyzer_pb2.AnalyzerResource(type=r.resource_type, properties=struct(r.props), urn=r.urn, name=r.name)
        for r in resources]))
    return sorted(found + [(d.policyName, d.message.split("\n", 1)[-1]) for d in response.diagnostics])


def in_pack_words(loaded: LoadedStack, findings: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The offline preview's findings (`tools.preview.analyze`) as the pack reports them: (policy, message),
    a spec rule's and an unregistered object's message after the name of its subject (the engine can
    name only resources); disabled ones left out."""
    unregistered = {subject(r) for r in unregistered_objects(loaded.spec, loaded.plan)}
    named = {rule.id for rule in RULES if rule.checks_spec}
    return sorted((f["policy"], f"{f['resource']}: {f['message']}"
                   if f["policy"] in named or f["resource"] in unregistered else f["message"])
                  for f in findings if f["level"] != "disabled")
