"""The policy pack as the Pulumi CLI runs it: its own process, spoken to over gRPC.

The pack (`policies/__main__.py`) prints its port and serves the Analyzer protocol; the test sends
each recorded resource of both stacks as `Analyze`, all of them as `AnalyzeStack`, at the stack's
levels (`Configure`), and compares the violations with the offline preview's findings for the same
resources. Then what only the real analyzer does: values unknown during preview, lists handed over
as sequences, secrets decrypted before the rules run.
"""

import json
import os
import subprocess
import sys

import grpc
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from aksnet.rules.registry import check_resources
from tools.mock_engine import PROJECT_DIR
from tools.policy_check import enforcement, recorded

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown value
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
LEVELS = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY, "disabled": analyzer_pb2.DISABLED}


@pytest.fixture(scope="module")
def analyzer():
    pack = subprocess.Popen([sys.executable, os.path.join(PROJECT_DIR, "policies", "__main__.py")],
                            cwd=os.path.join(PROJECT_DIR, "policies"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        port = int(pack.stdout.readline().decode().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        pack.kill()
        pack.wait()


def struct(props):
    message = struct_pb2.Struct()
    message.update(json.loads(json.dumps(props, default=str)))
    return message


def configure(stub, stack, production):
    stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={
        name: analyzer_pb2.PolicyConfig(enforcementLevel=LEVELS[level])
        for name, level in enforcement(stack, production).items()}))


def violations(stub, resources):
    """(policy, message) of every violation; the analyzer puts the policy's description before the message."""
    found = []
    for r in resources:
        response = stub.Analyze(analyzer_pb2.AnalyzeRequest(type=r.resource_type, properties=struct(r.props),
                                                            urn=r.urn, name=r.name))
        found += [(d.policyName, d.message.split("\n", 1)[-1]) for d in response.diagnostics]
    response = stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=[
        analyzer_pb2.AnalyzerResource(type=r.resource_type, properties=struct(r.props), urn=r.urn, name=r.name)
        for r in resources]))
    return sorted(found + [(d.policyName, d.message.split("\n", 1)[-1]) for d in response.diagnostics])


@pytest.mark.parametrize("stack,production", [("dev", False), ("prod", True)])
def test_the_pack_over_grpc_finds_what_the_offline_preview_finds(analyzer, request, stack, production):
    resources = recorded(request.getfixturevalue(stack).records)
    configure(analyzer, stack, production)
    offline = sorted((f.policy, f.message) for f in check_resources(resources, enforcement(stack, production))
                     if f.level != "disabled")
    assert violations(analyzer, resources) == offline


def test_unknown_values_lists_and_secrets_under_the_real_analyzer(analyzer):
    configure(analyzer, "prod", True)
    from aksnet.rules.registry import RecordedResource
    app = RecordedResource("azure-native:web:WebApp", "app", "urn:pulumi:prod::p::azure-native:web:WebApp::app", {
        "id": UNKNOWN,
        "siteConfig": {"connectionStrings": [UNKNOWN, {"connectionString": "Server=x;Password=y"}]},
        "settings": {"clientSecret": {**SECRET_SIG, "value": "s3cr3t"}},
    })
    found = violations(analyzer, [app])
    paths = sorted(message.split(" ", 1)[0] for policy, message in found if policy == "no-plain-secrets")
    # The list is read past its unknown item; the secret arrives decrypted, and the message says so.
    assert paths == ["settings.clientSecret", "siteConfig.connectionStrings[1].connectionString"]
    assert all("sees Pulumi secrets decrypted" in message for _, message in found)
