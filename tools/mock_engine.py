"""The mock engine: runs the real `__main__.py` under Pulumi's mocks, offline.

Shared by the offline preview and the tests, so both prove the same thing. It answers:
- resource registrations with the inputs plus what Azure would compute (ids in ARM form,
  the firewall's private address, identities' principal ids, the cluster's FQDNs); every
  Azure type the program declares must have an entry in `ARM_PATHS`, or the run fails;
- invokes from `INVOKES`, an explicit table; any other invoke fails loudly.

`RecordingMonitor` records what `Mocks.new_resource` never sees: the parent URN, the URN,
`protect`, `ignoreChanges`, aliases and dependencies, for the resource tree and the URN record.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import os
import runpy
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config

from aksnet.vocabulary import AZURE_RESERVED_FIRST

PROJECT = "aks-networking"
PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "11111111-1111-1111-1111-111111111111"
MOCK_CLIENT_ID = "22222222-2222-2222-2222-222222222222"


class UnknownInvoke(Exception):
    """The program called a function the mock table does not answer."""


class DuplicateUrn(Exception):
    """The program declared two resources with one URN, which the Pulumi engine refuses."""

    def __init__(self, urn: str):
        super().__init__(f"two resources have the URN {urn}; the Pulumi engine refuses the second "
                         "(give one of them another name)")
        self.urn = urn


STACK_REFERENCE = "pulumi:pulumi:StackReference"


class UnknownStackReference(Exception):
    """The program reads a stack whose outputs the run was not given."""


class UnknownResourceType(Exception):
    """The program declared a resource type the mock engine cannot give an ARM id."""


# Resource types and where their ids live under a resource group. `{x}` is the input named x.
ARM_PATHS: Mapping[str, str] = {
    "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks/{virtualNetworkName}",
    "azure-native:network:Subnet": "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
    "azure-native:network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}",
    "azure-native:network:VirtualNetworkPeering":
        "Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{virtualNetworkPeeringName}",
    "azure-native:network:RouteTable": "Microsoft.Network/routeTables/{routeTableName}",
    "azure-native:network:Route": "Microsoft.Network/routeTables/{routeTableName}/routes/{routeName}",
    "azure-native:network:PublicIPAddress": "Microsoft.Network/publicIPAddresses/{publicIpAddressName}",
    "azure-native:network:NatGateway": "Microsoft.Network/natGateways/{natGatewayName}",
    "azure-native:network:AzureFirewall": "Microsoft.Network/azureFirewalls/{azureFirewallName}",
    "azure-native:network:FirewallPolicy": "Microsoft.Network/firewallPolicies/{firewallPolicyName}",
    "azure-native:network:FirewallPolicyRuleCollectionGroup":
        "Microsoft.Network/firewallPolicies/{firewallPolicyName}/ruleCollectionGroups/{ruleCollectionGroupName}",
    "azure-native:network:IpGroup": "Microsoft.Network/ipGroups/{ipGroupsName}",
    "azure-native:network:ApplicationGateway": "Microsoft.Network/applicationGateways/{applicationGatewayName}",
    "azure-native:network:WebApplicationFirewallPolicy":
        "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/{policyName}",
    "azure-native:network:BastionHost": "Microsoft.Network/bastionHosts/{bastionHostName}",
    "azure-native:authorization:ManagementLockAtResourceGroupLevel": "Microsoft.Authorization/locks/{lockName}",
    "azure-native:dnsresolver:DnsResolver": "Microsoft.Network/dnsResolvers/{dnsResolverName}",
    "azure-native:dnsresolver:InboundEndpoint":
        "Microsoft.Network/dnsResolvers/{dnsResolverName}/inboundEndpoints/{inboundEndpointName}",
    "azure-native:kubernetesconfiguration:Extension":
        "Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration"
        "/extensions/{extensionName}",
    "azure-native:kubernetesconfiguration:FluxConfiguration":
        "Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration"
        "/fluxConfigurations/{fluxConfigurationName}",
    "azure-native:privatedns:PrivateZone": "Microsoft.Network/privateDnsZones/{privateZoneName}",
    "azure-native:privatedns:VirtualNetworkLink":
        "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}",
    "azure-native:managedidentity:UserAssignedIdentity":
        "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}",
    "azure-native:containerservice:ManagedCluster": "Microsoft.ContainerService/managedClusters/{resourceName}",
    "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces/{workspaceName}",
    "azure-native:storage:StorageAccount": "Microsoft.Storage/storageAccounts/{accountName}",
    "azure-native:containerregistry:Registry": "Microsoft.ContainerRegistry/registries/{registryName}",
    "azure-native:network:PrivateEndpoint": "Microsoft.Network/privateEndpoints/{privateEndpointName}",
    "azure-native:network:PrivateDnsZoneGroup":
        "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}",
    "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults/{vaultName}",
    "azure-native:keyvault:Secret": "Microsoft.KeyVault/vaults/{vaultName}/secrets/{secretName}",
    "azure-native:network:FlowLog": "Microsoft.Network/networkWatchers/{networkWatcherName}/flowLogs/{flowLogName}",
    "azure-native:managedidentity:FederatedIdentityCredential":
        "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/"
        "{federatedIdentityCredentialResourceName}",
    "azure-native:servicenetworking:TrafficControllerInterface":
        "Microsoft.ServiceNetworking/trafficControllers/{trafficControllerName}",
    "azure-native:servicenetworking:AssociationsInterface":
        "Microsoft.ServiceNetworking/trafficControllers/{trafficControllerName}/associations/{associationName}",
    "azure-native:servicenetworking:SecurityPoliciesInterface":
        "Microsoft.ServiceNetworking/trafficControllers/{trafficControllerName}/securityPolicies/{securityPolicyName}",
    "azure-native:servicenetworking:FrontendsInterface":
        "Microsoft.ServiceNetworking/trafficControllers/{trafficControllerName}/frontends/{frontendName}",
    "azure-native:containerservice:AgentPool":
        "Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}",
}


SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
"""The key Pulumi's wire format marks a secret value with."""


def _redacted(value: Any) -> Any:
    """The inputs as the preview shows them: a Pulumi secret is `[secret]`, whatever it holds."""
    if isinstance(value, dict):
        if SECRET_SIGNATURE in value:
            return "[secret]"
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def _invoke_client_config(args: Mapping[str, Any]) -> dict:
    return {"clientId": MOCK_CLIENT_ID, "objectId": _guid("runner"), "subscriptionId": SUBSCRIPTION_ID,
            "tenantId": TENANT_ID}


def _invoke_user_credentials(args: Mapping[str, Any]) -> dict:
    import base64
    kubeconfig = (
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://"
        f"{args.get('resourceName', 'cluster')}.mock.azmk8s.io:443\n  name: mock\ncontexts:\n"
        "- context:\n    cluster: mock\n    user: mock\n  name: mock\ncurrent-context: mock\n"
        "users:\n- name: mock\n  user:\n    token: mock-token\n")
    return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(kubeconfig.encode()).decode()}]}


# Every invoke the program makes, and nothing else.
def _invoke_workspace(args: Mapping[str, Any]) -> dict:
    """An existing Log Analytics workspace: its customer id is a GUID of its own."""
    return {"customerId": _guid(str(args.get("resourceGroupName")), str(args.get("workspaceName")), "customer")}


INVOKES: Mapping[str, Callable[[Mapping[str, Any]], dict]] = {
    "azure-native:authorization:getClientConfig": _invoke_client_config,
    "azure-native:operationalinsights:getWorkspace": _invoke_workspace,
    "azure-native:containerservice:listManagedClusterUserCredentials": _invoke_user_credentials,
}


@dataclass
class Record:
    """One registered resource, as the preview and the tests see it."""

    type: str
    name: str
    urn: str
    parent: str | None
    custom: bool
    inputs: dict
    outputs: dict
    protect: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    provider: str = ""
    delete_before_replace: bool = False


class AzureMocks(pulumi.runtime.Mocks):
    """Answers registrations and invokes the way Azure and AKS would, deterministically."""

    def __init__(self, stack_outputs: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._local = threading.local()
        self.subnet_prefixes: dict[str, str] = {}
        self.invokes: list[tuple[str, dict]] = []
        self.stack_outputs = dict(stack_outputs or {})
        """Fully qualified stack name to its outputs: what a `pulumi.StackReference` to it reads."""

    @property
    def last(self) -> tuple[dict, dict]:
        return getattr(self._local, "last", ({}, {}))

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        inputs = _redacted(dict(args.inputs))
        if args.typ == STACK_REFERENCE:  # read, not registered: the mocks hear of it without `custom`
            return self._stack_reference(inputs)
        if not args.custom:
            self._local.last = (inputs, {})
            return None, {}
        resource_id, computed = self._computed(args.typ, args.name, inputs)
        outputs = {**inputs, **computed, "id": resource_id}
        self._local.last = (inputs, outputs)
        return resource_id, outputs

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        answer = INVOKES.get(args.token)
        if answer is None:
            raise UnknownInvoke(f"the mock engine has no answer for invoke {args.token}; add one to "
                                "tools/mock_engine.py INVOKES")
        self.invokes.append((args.token, dict(args.args)))
        return answer(args.args), []

    def _stack_reference(self, inputs: Mapping[str, Any]) -> tuple[str, dict]:
        """Another stack's outputs, as the Pulumi service answers a StackReference: only from a run of it."""
        name = str(inputs.get("name"))
        if name not in self.stack_outputs:
            raise UnknownStackReference(f"the mock engine has no outputs of stack {name}; run it first and hand its "
                                        "outputs over (run_program(stack_outputs=...), tools.preview --landing-zone)")
        outputs = {"name": name, "outputs": dict(self.stack_outputs[name]), "secretOutputNames": []}
        self._local.last = (dict(inputs), outputs)
        return name, outputs

    # What Azure computes ---------------------------------------------------------------

    def _arm_id(self, typ: str, name: str, inputs: Mapping[str, Any]) -> str:
        sub = f"/subscriptions/{SUBSCRIPTION_ID}"
        if typ == "azure-native:resources:ResourceGroup":
            return f"{sub}/resourceGroups/{inputs.get('resourceGroupName', name)}"
        if typ == "azure-native:authorization:RoleAssignment":
            return f"{inputs.get('scope', sub)}/providers/Microsoft.Authorization/roleAssignments/" \
                   f"{inputs.get('roleAssignmentName') or _guid(name)}"
        if typ == "azure-native:authorization:RoleDefinition":  # Azure names a custom role in its subscription
            return f"{sub}/providers/Microsoft.Authorization/roleDefinitions/" \
                   f"{inputs.get('roleDefinitionId') or _guid(name)}"
        if typ == "azure-native:authorization:PolicyAssignment":  # an extension resource, under its scope
            return f"{inputs.get('scope', sub)}/providers/Microsoft.Authorization/policyAssignments/" \
                   f"{inputs.get('policyAssignmentName', name)}"
        if typ == "azure-native:monitor:DiagnosticSetting":  # an extension resource, under its target
            return f"{inputs.get('resourceUri', sub)}/providers/Microsoft.Insights/diagnosticSettings/" \
                   f"{inputs.get('name', name)}"
        if typ.startswith("pulumi:providers:"):
            return _guid("provider", name)
        if typ.startswith("kubernetes:"):
            meta = inputs.get("metadata") or {}
            return "/".join(p for p in (meta.get("namespace"), meta.get("name", name)) if p)
        template = ARM_PATHS.get(typ)
        if template is None:
            raise UnknownResourceType(f"the mock engine has no ARM path for {typ}; add one to "
                                      "tools/mock_engine.py ARM_PATHS")

        class _Names(dict):
            def __missing__(self, key: str) -> str:
                return name  # an autonamed resource: its logical name stands in
        path = template.format_map(_Names({k: v for k, v in inputs.items() if isinstance(v, str)}))
        return f"{sub}/resourceGroups/{inputs.get('resourceGroupName', 'mock-rg')}/providers/{path}"

    def _computed(self, typ: str, name: str, inputs: Mapping[str, Any]) -> tuple[str, dict]:
        resource_id = self._arm_id(typ, name, inputs)
        azure_name = resource_id.rsplit("/", 1)[-1]
        out: dict[str, Any] = {"name": azure_name}
        if typ == "azure-native:network:Subnet" and inputs.get("addressPrefix"):
            self.subnet_prefixes[resource_id] = inputs["addressPrefix"]
        elif typ == "azure-native:network:AzureFirewall":
            configs = [dict(c) for c in inputs.get("ipConfigurations") or []]
            for config in configs:
                prefix = self.subnet_prefixes.get((config.get("subnet") or {}).get("id", ""))
                if prefix:  # Azure gives the firewall the subnet's first usable address
                    first = ipaddress.ip_network(prefix).network_address + AZURE_RESERVED_FIRST
                    config["privateIPAddress"] = str(first)
            out["ipConfigurations"] = configs
        elif typ == "azure-native:network:PublicIPAddress":
            digest = int(_guid(resource_id)[:8], 16)
            out["ipAddress"] = str(ipaddress.ip_address("20.0.0.0") + digest % (2 ** 24))
        elif typ == "azure-native:managedidentity:UserAssignedIdentity":
            out.update(principalId=_guid(resource_id, "principal"), clientId=_guid(resource_id, "client"),
                       tenantId=TENANT_ID)
        elif typ == "azure-native:network:ApplicationGateway" and inputs.get("identity"):
            # Azure answers a user-assigned identity list with a map from id to its details.
            identity = dict(inputs["identity"])
            identity["userAssignedIdentities"] = {i: {} for i in identity.get("userAssignedIdentities") or []}
            out["identity"] = identity
        elif typ == "azure-native:containerregistry:Registry":
            out["loginServer"] = f"{str(inputs.get('registryName', name)).lower()}.azurecr.io"
        elif typ == "azure-native:operationalinsights:Workspace":
            out["customerId"] = _guid(resource_id, "customer")
        elif typ == "azure-native:containerservice:ManagedCluster":
            out.update(self._cluster_outputs(resource_id, azure_name, inputs))
        elif typ == "azure-native:servicenetworking:FrontendsInterface":  # Azure names each frontend
            out["fqdn"] = f"{_guid(resource_id)[:16]}.fz{_guid(resource_id, 'zone')[:2]}.alb.azure.com"
        return resource_id, out

    @staticmethod
    def _cluster_outputs(resource_id: str, name: str, inputs: Mapping[str, Any]) -> dict:
        location = inputs.get("location", "region")
        prefix = inputs.get("dnsPrefix", name)
        private = bool((inputs.get("apiServerAccessProfile") or {}).get("enablePrivateCluster"))
        addons = {k: dict(v) for k, v in (inputs.get("addonProfiles") or {}).items()}
        for key, profile in addons.items():
            if profile.get("enabled"):  # AKS creates one identity per enabled add-on
                profile["identity"] = {"objectId": _guid(resource_id, key, "object"),
                                       "clientId": _guid(resource_id, key, "client"),
                                       "resourceId": f"{resource_id}/addons/{key}"}
        fqdn = f"{prefix}-{_guid(resource_id)[:8]}.hcp.{location}.azmk8s.io"
        identity = dict(inputs.get("identity") or {})
        if isinstance(identity.get("userAssignedIdentities"), list):
            # The API takes a list of identity ids and answers a map of id to principal.
            identity["userAssignedIdentities"] = {
                i: {"principalId": _guid(i, "principal"), "clientId": _guid(i, "client")}
                for i in identity["userAssignedIdentities"]}
        return {
            "identity": identity,
            "fqdn": fqdn,
            "privateFQDN": f"{prefix}-{_guid(resource_id)[:8]}.privatelink.{location}.azmk8s.io" if private else None,
            "nodeResourceGroup": inputs.get("nodeResourceGroup") or f"MC_{name}_{location}",
            "identityProfile": {"kubeletidentity": {"objectId": _guid(resource_id, "kubelet", "object"),
                                                    "clientId": _guid(resource_id, "kubelet", "client"),
                                                    "resourceId": f"{resource_id}/kubelet"}},
            "addonProfiles": addons,
            "oidcIssuerProfile": {"enabled": True,
                                  "issuerURL": f"https://{location}.oic.prod-aks.azure.com/{TENANT_ID}/{_guid(resource_id)}/"},
        }


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, recording every registration with its lifecycle options."""

    def __init__(self, mocks: AzureMocks):
        super().__init__(mocks)
        self.azure = mocks
        self.records: list[Record] = []
        self._lock = threading.Lock()

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs, outputs = self.azure.last
        record = Record(
            type=request.type, name=request.name, urn=response.urn, parent=request.parent or None,
            custom=bool(request.custom), inputs=inputs, outputs=outputs, protect=bool(request.protect),
            ignore_changes=list(request.ignoreChanges), aliases=[str(a) for a in request.aliases],
            dependencies=list(request.dependencies), provider=request.provider,
            delete_before_replace=bool(request.deleteBeforeReplace))
        self._record(record)
        return response

    def ReadResource(self, request):
        """A resource the program reads (a StackReference), recorded as the preview lists it."""
        response = super().ReadResource(request)
        inputs, outputs = self.azure.last
        self._record(Record(type=request.type, name=request.name, urn=response.urn, parent=request.parent or None,
                            custom=True, inputs=inputs, outputs=outputs, provider=request.provider))
        return response

    def _record(self, record: Record) -> None:
        with self._lock:
            if any(r.urn == record.urn for r in self.records):
                raise DuplicateUrn(record.urn)
            self.records.append(record)


@dataclass
class RunResult:
    records: list[Record]
    exports: dict[str, Any]
    invokes: list[tuple[str, dict]]
    error: BaseException | None = None

    def of_type(self, typ: str) -> list[Record]:
        return [r for r in self.records if r.type == typ]

    def one(self, typ: str) -> Record:
        found = self.of_type(typ)
        if len(found) != 1:
            raise AssertionError(f"expected one {typ}, found {len(found)}")
        return found[0]


def flatten_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Config as the Pulumi CLI hands it to a program: structured values as JSON strings."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


@contextlib.contextmanager
def _alias_specs_only() -> Iterator[None]:
    """Skip the SDK's eager alias URNs, which only engines without alias specs read.

    `pulumi.Resource.__init__` turns every alias into a URN Output at once (azure-native
    declares one alias per API version: about 35 per resource, 90% of this engine's run time).
    That list, `Resource._aliases`, is read only by `all_aliases`, the fallback for monitors
    without alias specs; `RecordingMonitor` supports them (as the Pulumi CLI does), so aliases
    still reach the monitor, as specs. Those specs are then built without resolving each plain
    `Alias(type_=...)` through an Output first. tests/test_mock_engine.py proves the recorded
    aliases are the same either way.
    """
    from pulumi import resource as sdk_resource
    from pulumi.runtime import resource as sdk_runtime
    from pulumi.runtime.proto import alias_pb2
    original = getattr(sdk_resource, "collapse_alias_to_urn", None)
    original_prepare = getattr(sdk_runtime, "prepare_aliases", None)
    if original is None or original_prepare is None:  # a future SDK without these paths: nothing to skip
        yield
        return
    def keep_alias(alias: Any, name: str, typ: str, parent: Any) -> Any:
        return alias

    def type_only(alias: Any) -> bool:
        """`Alias(type_="...")` and nothing else: what azure-native declares per API version."""
        return isinstance(alias, sdk_resource.Alias) and isinstance(alias.type_, str) and all(
            getattr(alias, field) is ... for field in ("name", "parent", "stack", "project"))

    async def prepare_aliases(resource: Any, options: Any, supports_alias_specs: bool) -> Any:
        """The same specs the SDK sends, without an Output per plain alias (a quarter of this run)."""
        aliases = options.aliases if options is not None else None
        if not supports_alias_specs or not aliases or not all(type_only(a) for a in aliases):
            return await original_prepare(resource, options, supports_alias_specs)
        # What create_alias_spec builds for such an alias (parent unspecified: the current one).
        return [alias_pb2.Alias(spec=alias_pb2.Alias.Spec(name="", type=alias.type_, stack="", project="",
                                                          parentUrn=""))
                for alias in aliases]

    sdk_resource.collapse_alias_to_urn = keep_alias  # type: ignore[assignment]  # returns the alias, not its URN
    sdk_runtime.prepare_aliases = prepare_aliases  # type: ignore[assignment]
    try:
        yield
    finally:
        sdk_resource.collapse_alias_to_urn = original
        sdk_runtime.prepare_aliases = original_prepare


def run_program(stack: str, config: Mapping[str, Any],
                program: Callable[[], Any] | None = None, *, eager_aliases: bool = False,
                stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
                main: str = "__main__.py") -> RunResult:
    """Run `__main__.py` (or `program`) for `stack` with `config` under the mock engine.

    Never raises for the program's own errors: they come back in `RunResult.error`.
    `eager_aliases=True` keeps the SDK's eager alias URNs (see `_alias_specs_only`).
    `stack_outputs`: other stacks' outputs by their full names, for the program's StackReferences.
    `main`: the program's file, relative to the repository (`hub/__main__.py` for a landing zone's hub).
    """
    with (contextlib.nullcontext() if eager_aliases else _alias_specs_only()):
        return _run(stack, config, program, stack_outputs, main)


class _ThreadLoops:
    """The run's executor, whose worker threads each get an event loop that the run closes.

    The SDK calls the mock monitor from the loop's default executor, and `MockMonitor` asks for
    an event loop on whatever thread it runs on (`pulumi.runtime.sync_await._ensure_event_loop`),
    so each worker thread made a loop of its own that nobody closed. At interpreter exit the
    garbage collector finalised such a loop after its self-pipe socket, and `BaseEventLoop.__del__`
    printed `ValueError: Invalid file descriptor: -1` on stderr (about one run in 25). Here each
    worker starts with a loop of ours, which `close` closes once the workers have finished.
    """

    def __init__(self) -> None:
        self.loops: list[asyncio.AbstractEventLoop] = []
        self._lock = threading.Lock()
        self.executor = ThreadPoolExecutor(thread_name_prefix="mock-engine", initializer=self._give_loop)

    def _give_loop(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        with self._lock:
            self.loops.append(loop)

    def close(self) -> None:
        self.executor.shutdown(wait=True)  # no worker runs a loop any more
        for loop in self.loops:
            loop.close()


def _run(stack: str, config: Mapping[str, Any], program: Callable[[], Any] | None,
         stack_outputs: Mapping[str, Mapping[str, Any]] | None = None, main_file: str = "__main__.py") -> RunResult:
    mocks = AzureMocks(stack_outputs)
    monitor = RecordingMonitor(mocks)
    set_all_config(flatten_config(config))
    # The root Stack resource is created by set_mocks and must live on the loop that runs.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    workers = _ThreadLoops()
    loop.set_default_executor(workers.executor)
    # A run that failed leaves RPCs and outputs of its own behind: start clean, as
    # pulumi.runtime.mocks.test does.
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_settings.SETTINGS.outputs.clear()
    pulumi_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    root = pulumi_settings.get_root_resource()

    def main() -> Any:
        if program is not None:
            returned = program()
            # A test's program returns the Output it checks: awaiting it makes its failure ours.
            return returned.future() if isinstance(returned, pulumi.Output) else None
        if PROJECT_DIR not in sys.path:
            sys.path.insert(0, PROJECT_DIR)
        runpy.run_path(os.path.join(PROJECT_DIR, main_file), run_name="__main__")

    error: BaseException | None = None
    exports: dict[str, Any] = {}
    try:
        try:
            loop.run_until_complete(pulumi.runtime.stack.run_pulumi_func(main))
        except BaseException as exc:
            error = exc
        if error is None:
            exports = _resolve_exports(loop, getattr(root, "outputs", {}))
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        asyncio.set_event_loop(None)
        loop.close()
        workers.close()
    # Registrations arrive from executor threads in no fixed order: sorted, every output is stable.
    return RunResult(records=sorted(monitor.records, key=lambda r: r.urn), exports=exports,
                     invokes=list(mocks.invokes), error=error)


def _resolve_exports(loop: asyncio.AbstractEventLoop, outputs: Mapping[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}

    async def collect() -> None:
        for key, value in outputs.items():
            output = pulumi.Output.from_input(value)
            is_secret = await output.is_secret()
            resolved[key] = "[secret]" if is_secret else await output.future()
    loop.run_until_complete(collect())
    return resolved
