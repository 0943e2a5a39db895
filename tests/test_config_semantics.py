"""What the stack reader and the workload model must believe about Kubernetes and Azure, pinned where no
other test did: which values a stack file may hold and where a refusal lands (one line, at its key),
how a Service port becomes the pod's port per protocol, what a literal NetworkPolicy spec may say,
how manifests become the reachability engine's pods and namespaces, and what the intent check and the
path report conclude. Each expected outcome comes from the Kubernetes or Microsoft page cited beside it.
Pure functions and `load_spec`/`load_stack` only: no program run.
"""

from __future__ import annotations

import pytest

from aksnet.config.problems import ConfigError
from aksnet.config.stack import load_spec
from aksnet.pipeline import load_stack
from tests.stacks import load, variant

C = "aks-networking:"
APPS = f"{C}kubernetes.apps"


def problems_of(config, stack="dev"):
    """The (key path, message) of each problem the stack file has; [] when it loads."""
    try:
        load_spec(config, stack)
    except ConfigError as refused:
        return [(p.path, p.message) for p in refused.problems]
    return []


def paths_of(config, stack="dev"):
    return [path for path, _ in problems_of(config, stack)]


# Probes ---------------------------------------------------------------------------------------
# An httpGet probe is an HTTP request the kubelet sends to the container's port: HTTP runs over TCP,
# so a UDP port of the container cannot answer it.
# https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-a-liveness-http-request
# https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#HTTPGetAction

def test_an_http_probe_on_a_udp_port_of_the_app_is_refused_at_its_port():
    ports = [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "metrics", "port": 9090, "protocol": "UDP"}]
    config = variant(load("dev"), {f"{APPS}[0].ports": ports})
    assert problems_of(variant(config, {f"{APPS}[0].probes": {"readiness": {"path": "/healthz", "port": 8080}}})) == []
    assert paths_of(variant(config, {f"{APPS}[0].probes": {"readiness": {"path": "/healthz", "port": 9090}}})) == [
        f"{APPS}[0].probes.readiness.port"]


# Service ports, per protocol -----------------------------------------------------------------------
# A Service may expose one port number over TCP and UDP, each with its own targetPort (the ServicePort
# is told apart by port and protocol); a NetworkPolicy names the pod's port, the targetPort.
# https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
# https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors

def _policy_ports(manifests, namespace):
    return {(port["protocol"], port["port"]) for m in manifests if m["kind"] == "NetworkPolicy"
            and m["metadata"]["namespace"] == namespace for rule in m["spec"].get("ingress", ())
            for port in rule.get("ports", ())}


def test_a_flow_to_a_service_port_served_over_tcp_and_udp_opens_the_target_port_of_its_own_protocol():
    store = [{"name": "dns-udp", "port": 53, "protocol": "UDP", "targetPort": 5353},
             {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 8053}]
    config = variant(load("dev"), {f"{APPS}[2].ports": store, f"{APPS}[2].writablePaths": ["/tmp"],
                                   f"{C}kubernetes.flows[1].ports": ["TCP/53"]})
    ports = _policy_ports(load_stack(config, "dev").plan.manifests, "development")
    assert ("TCP", 8053) in ports
    assert ("TCP", 5353) not in ports


# Flows ---------------------------------------------------------------------------------------------
# NetworkPolicies apply to a connection with a pod on one or both ends: a flow between two ranges
# outside the cluster is nothing a policy can allow or deny.
# https://kubernetes.io/docs/concepts/services-networking/network-policies/

def test_a_flow_between_two_cidrs_is_refused_at_the_flow():
    flow = {"name": "outside", "from": {"cidr": "203.0.113.0/24"}, "to": {"cidr": "198.51.100.0/24"},
            "ports": ["TCP/443"]}
    assert paths_of(variant(load("dev"), {f"{C}kubernetes.flows[4]": flow})) == [f"{C}kubernetes.flows[4]"]


# The ingress section -----------------------------------------------------------------------------------
# Options of Application Gateway for Containers under another controller would be read by nothing: a
# block that silently does nothing is refused, once, at the block.

def test_agc_options_under_another_controller_are_refused_at_the_block():
    assert paths_of(variant(load("dev"), {f"{C}ingress.agc": {}})) == [f"{C}ingress.agc"]


# Diagnostics ------------------------------------------------------------------------------------------
# Traffic analytics analyses the VNet flow logs that Network Watcher writes: without flow logs it has
# nothing to read. https://learn.microsoft.com/azure/network-watcher/traffic-analytics
# Flow logs follow `enabled` unless set: a stack that turns diagnostics on, and says no more, records
# its flows (docs/configuration.md, diagnostics.flowLogs).

def test_traffic_analytics_without_flow_logs_is_refused_at_traffic_analytics():
    diagnostics = f"{C}diagnostics"
    assert problems_of(variant(load("dev"), {diagnostics: {"trafficAnalytics": True}})) == []
    assert paths_of(variant(load("dev"), {diagnostics: {"trafficAnalytics": True, "flowLogs": False}})) == [
        f"{diagnostics}.trafficAnalytics"]


def test_flow_logs_follow_diagnostics_unless_set():
    def flow_logs(diagnostics):
        return load_spec(variant(load("dev"), {f"{C}diagnostics": diagnostics}), "dev").diagnostics.flow_logs
    assert flow_logs({}) is True
    assert flow_logs({"enabled": False}) is False
    assert flow_logs({"flowLogs": False}) is False


# Registries -------------------------------------------------------------------------------------------
# A registry is named by its DNS host, and DNS names compare without regard to case: Docker.io is the
# registry docker.io, whose images dev runs. https://www.rfc-editor.org/rfc/rfc4343#section-3

def test_an_allowed_registry_matches_its_images_whatever_its_case():
    config = variant(load("dev"), {f"{C}kubernetes.allowedRegistries": ["Docker.IO"]})
    assert load_stack(config, "dev").spec.kubernetes.allowed_registries == ("docker.io",)


# Delivery -----------------------------------------------------------------------------------------------
# The Flux configuration is made only for delivery gitops; a gitops block beside another delivery would
# be read by nothing, and is refused at the block.

def test_a_gitops_block_under_another_delivery_is_refused_at_the_block():
    gitops = {"url": "https://github.com/example/platform", "path": "./deploy/dev"}
    assert paths_of(variant(load("dev"), {f"{C}kubernetes.gitops": gitops})) == [f"{C}kubernetes.gitops"]
    assert problems_of(variant(load("dev"), {f"{C}kubernetes.gitops": gitops,
                                             f"{C}kubernetes.delivery": "gitops"})) == []


# Literal NetworkPolicy specs ------------------------------------------------------------------------------
# A label selector requirement with In or NotIn must list values; with Exists or DoesNotExist it must not.
# https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/#LabelSelector

def _spec_problems(spec):
    from aksnet.config.policy_spec import check_policy_spec
    from aksnet.config.schema import Problems
    problems = Problems()
    check_policy_spec(problems, "spec", spec)
    return [p.path for p in problems.items]


@pytest.mark.parametrize("operator,values,refused", [
    ("In", [], True), ("NotIn", [], True), ("In", ["a"], False), ("NotIn", ["a"], False),
    ("Exists", [], False), ("DoesNotExist", [], False), ("Exists", ["a"], True), ("DoesNotExist", ["a"], True),
])
def test_a_selector_requirement_lists_values_exactly_for_in_and_notin(operator, values, refused):
    expression = {"key": "tier", "operator": operator, "values": values}
    found = _spec_problems({"podSelector": {"matchExpressions": [expression]}})
    assert found == (["spec.podSelector.matchExpressions[0].values"] if refused else [])


# A NetworkPolicy port's protocol is TCP, UDP or SCTP (TCP when left out).
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec
@pytest.mark.parametrize("protocol,refused", [("TCP", False), ("UDP", False), ("SCTP", False), ("ICMP", True),
                                              ("tcp", True)])
def test_a_policy_port_takes_the_three_kubernetes_protocols(protocol, refused):
    spec = {"podSelector": {}, "ingress": [{"ports": [{"protocol": protocol, "port": 3868}]}]}
    assert _spec_problems(spec) == (["spec.ingress[0].ports[0].protocol"] if refused else [])


# A label value may be empty (at most 63 characters, "can be empty"), in a pod's labels and a selector's.
# https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
def test_an_empty_label_value_is_a_label_value():
    assert problems_of(variant(load("dev"), {f"{APPS}[0].labels.canary": ""})) == []
    assert _spec_problems({"podSelector": {"matchLabels": {"canary": ""}}}) == []
    assert _spec_problems({"podSelector": {"matchLabels": {"canary": "-x"}}}) == ["spec.podSelector.matchLabels.canary"]


# Load balancer Services --------------------------------------------------------------------------------------
# AKS makes a LoadBalancer Service internal when it carries service.beta.kubernetes.io/azure-load-balancer-internal
# set to "true"; -internal-subnet names the subnet, -ipv4 the static address. Without the first the
# Service gets a public address. https://learn.microsoft.com/azure/aks/internal-lb

def test_an_internal_load_balancer_service_carries_the_annotations_aks_reads():
    manifests = load_stack(load("dev"), "dev").plan.manifests
    services = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "Service"}
    internal, public = services["internal-api"], services["frontend"]
    assert internal["spec"]["type"] == public["spec"]["type"] == "LoadBalancer"
    annotations = internal["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/azure-load-balancer-internal"] == "true"
    assert annotations["service.beta.kubernetes.io/azure-load-balancer-ipv4"] == "192.168.2.10"
    assert "service.beta.kubernetes.io/azure-load-balancer-internal-subnet" in annotations
    assert "service.beta.kubernetes.io/azure-load-balancer-internal" not in (public["metadata"].get("annotations") or {})


# Manifests as the reachability engine reads them ------------------------------------------------------------
# An object whose metadata names no namespace is created in the client's namespace, `default` unless
# the context says otherwise. https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
# https://kubernetes.io/docs/tasks/administer-cluster/namespaces/#setting-the-namespace-preference

def test_a_workload_or_pod_without_a_namespace_lands_in_default():
    from aksnet.analysis.reachability import cluster_from_objects
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}}}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probe", "labels": {"app": "probe"}}}
    cluster, errors = cluster_from_objects([deployment, pod])
    assert errors == []
    assert sorted(p.id for p in cluster.pods) == ["default/probe", "default/web"]


# Every workload controller makes its pods from a pod template: spec.template, and a CronJob's from its Job
# template, spec.jobTemplate.spec.template. https://kubernetes.io/docs/concepts/workloads/controllers/
# https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#writing-a-cronjob-spec
TEMPLATE = {"metadata": {"labels": {"app": "worker"}},
            "spec": {"containers": [{"name": "c", "ports": [{"name": "metrics", "containerPort": 9100}]}]}}


@pytest.mark.parametrize("kind,spec", [
    *[(kind, {"template": TEMPLATE}) for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                                                  "ReplicationController")],
    ("CronJob", {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": TEMPLATE}}}),
])
def test_each_workload_kind_gives_the_engine_its_pods(kind, spec):
    from aksnet.analysis.reachability import cluster_from_objects
    workload = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "worker", "namespace": "jobs"}, "spec": spec}
    cluster, errors = cluster_from_objects([workload])
    assert errors == []
    assert [(p.id, dict(p.labels), p.ports) for p in cluster.pods] == [
        ("jobs/worker", {"app": "worker"}, (("metrics", 9100, "TCP"),))]


# The API server sets kubernetes.io/metadata.name on every namespace to the namespace's name, and the
# label cannot be given another value: a manifest that tries does not make a namespace selectable by
# another name. https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name

def test_a_namespace_is_always_labelled_with_its_own_name():
    from aksnet.analysis.reachability import cluster_from_objects
    namespace = {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "payments", "team": "a"}}}
    cluster, errors = cluster_from_objects([namespace])
    assert errors == []
    assert cluster.namespaces["shop"] == {"kubernetes.io/metadata.name": "shop", "team": "a"}


# The intent check ----------------------------------------------------------------------------------------------
# Policies are additive: a literal policy that admits a range outside the cluster widens what the pods
# accept beyond the declared flows, and the check must name that allowance even though one end is no
# app. https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation

def test_a_literal_policy_admitting_an_outside_range_is_unintended():
    from aksnet.analysis.intent import intent_of
    policy = {"name": "open-backend", "namespace": "development",
              "spec": {"podSelector": {"matchLabels": {"role": "backend"}}, "policyTypes": ["Ingress"],
                       "ingress": [{"from": [{"ipBlock": {"cidr": "198.51.100.0/24"}}],
                                    "ports": [{"protocol": "TCP", "port": 8080}]}]}}
    loaded = load_stack(variant(load("dev"), {f"{C}kubernetes.policies": [policy]}), "dev")
    check = intent_of(loaded.spec, loaded.plan)
    assert check.unintended == [{"from": "198.51.100.0/24", "to": "development/backend", "ports": ["TCP/8080"]}]
    assert check.missing == []


# policyTypes holds Ingress, Egress or both, spelt so.
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec
@pytest.mark.parametrize("types,refused", [(["Ingress"], []), (["Egress"], []), (["Ingress", "Egress"], []),
                                           (["Both"], ["spec.policyTypes[0]"]),
                                           (["Ingress", "egress"], ["spec.policyTypes[1]"])])
def test_policy_types_are_ingress_and_egress(types, refused):
    assert _spec_problems({"podSelector": {}, "policyTypes": types}) == refused


# A misspelt field of a literal spec is one line at the field, offering the field of that level it
# is closest to (the API server's strict validation names the unknown field).
def test_a_misspelt_policy_field_is_told_its_closest_field_at_its_level():
    from aksnet.config.policy_spec import check_policy_spec
    from aksnet.config.schema import Problems
    problems = Problems()
    check_policy_spec(problems, "spec", {"podSelector": {}, "ingress": [{"form": [{"podSelector": {}}]}]})
    assert [(p.path, p.message) for p in problems.items] == [
        ("spec.ingress[0].form", "is not a field here; did you mean 'from'?")]


# Flow endpoints -----------------------------------------------------------------------------------------------
# An app is a Service and its pods in one namespace (names are unique per namespace, not per cluster):
# an endpoint naming the app alone does not say which, and is refused at its app.
# https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names

def test_an_app_endpoint_without_its_namespace_is_refused_at_the_app():
    config = variant(load("dev"), {f"{C}kubernetes.flows[0].from": {"app": "frontend"}})
    assert paths_of(config) == [f"{C}kubernetes.flows[0].from.app"]


# Firewall network rule destinations ------------------------------------------------------------------------------
# A service tag is a name, optionally with one dotted suffix (a region, or a part such as
# AzureFrontDoor.Backend): Storage, Storage.WestEurope.
# https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags
@pytest.mark.parametrize("value,accepted", [
    ("Storage", True), ("AzureCloud.westeurope", True), ("*", True), ("10.1.0.0/16", True), ("10.1.0.4", True),
    ("Storage.", False), ("AzureCloud.west.europe", False), ("AzureCloud..westeurope", False),
])
def test_a_network_rule_destination_tag_has_at_most_one_suffix(value, accepted):
    from aksnet.config.egress import firewall_address
    from aksnet.config.schema import Problems
    problems = Problems()
    assert (firewall_address(problems, "d", value) == value) is accepted
    assert bool(problems) is not accepted


# A Service with a cluster IP must expose at least one port (the API server refuses spec.ports empty
# unless the Service is headless or ExternalName); an app without a Service needs none.
# https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
@pytest.mark.parametrize("service_type,refused", [("ClusterIP", True), ("InternalLoadBalancer", True),
                                                  ("LoadBalancer", True), ("None", False)])
def test_an_app_with_a_service_needs_a_port(service_type, refused):
    config = variant(load("dev"), {f"{APPS}[0].ports": [], f"{APPS}[0].serviceType": service_type,
                                   f"{C}kubernetes.ingresses[0].paths": [{"path": "/a", "app": "frontend", "port": 80}]})
    assert paths_of(config) == ([f"{APPS}[0].ports"] if refused else [])


# An app's labels are its Deployment's selector and its Service's: apps/v1 refuses a Deployment whose
# selector is empty. https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector
def test_an_app_without_labels_is_refused_at_its_labels():
    assert paths_of(variant(load("dev"), {f"{APPS}[0].labels": {}})) == [f"{APPS}[0].labels"]


# An empty pod selector selects every pod, and an empty namespace selector every namespace.
# https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
def test_empty_label_selections_select_every_app():
    from aksnet.config.workloads import Endpoint
    workloads = load_spec(load("dev"), "dev").kubernetes.workloads
    everyone = sorted(app.name for app in workloads.apps)
    for endpoint in (Endpoint(pod_labels={}), Endpoint(namespace_labels={}),
                     Endpoint(namespace_labels={}, pod_labels={})):
        assert sorted(app.name for app in workloads.apps_selected_by(endpoint)) == everyone
    assert [a.name for a in workloads.apps_selected_by(Endpoint(pod_labels={"role": "store"}))] == ["store"]


# The path report --------------------------------------------------------------------------------------------------
# The Azure Policy add-on needs its own outbound names (data.policy.core.windows.net,
# store.policy.core.windows.net, dc.services.visualstudio.com), and only a cluster running the add-on
# needs them. https://learn.microsoft.com/azure/aks/outbound-rules-control-egress#azure-policy

def test_the_azure_policy_endpoints_are_derived_only_with_the_add_on():
    from aksnet.analysis.path_report import path_report

    def policy_hosts(changes):
        loaded = load_stack(variant(load("dev"), changes), "dev")
        return sorted(p.destination for p in path_report(loaded.spec, loaded.plan).paths
                      if p.origin == "cluster.azurePolicy")
    assert policy_hosts({}) == []
    assert policy_hosts({f"{C}cluster.azurePolicy": True}) == [
        "data.policy.core.windows.net", "dc.services.visualstudio.com", "store.policy.core.windows.net"]


# With diagnostics off, only the keys that ask for something (a true flag, a workspace) contradict it:
# one line at that key, none at a key that agrees (flowLogs: false).
def test_diagnostics_off_is_contradicted_only_by_the_keys_that_ask_for_something():
    diagnostics = {"enabled": False, "flowLogs": False, "trafficAnalytics": True}
    assert paths_of(variant(load("dev"), {f"{C}diagnostics": diagnostics})) == [f"{C}diagnostics.trafficAnalytics"]


# Azure's availability zones are numbered 1, 2 and 3 in every region that has them.
# https://learn.microsoft.com/azure/reliability/availability-zones-overview#physical-and-logical-availability-zones
@pytest.mark.parametrize("value,zone", [(1, "1"), ("2", "2"), (3, "3"), (0, None), ("0", None), (4, None),
                                        (True, None)])
def test_a_zone_is_1_2_or_3(value, zone):
    from aksnet.config.schema import Problems, zone_item
    assert zone_item(Problems(), "z", value) == zone


# A registry the stack declares but no app pulls from is no flow: the pull paths follow the images.
# https://learn.microsoft.com/azure/container-registry/container-registry-firewall-access-rules
def test_a_platform_registry_nobody_pulls_from_derives_no_pull_path():
    from aksnet.analysis.path_report import path_report
    config = variant(load("dev"), {f"{C}registry": {"name": "contosoaksnetdev"},
                                   f"{C}network.spoke.subnets.endpoints": "192.168.3.0/28"})
    loaded = load_stack(config, "dev")
    flows = {p.flow for p in path_report(loaded.spec, loaded.plan).paths}
    assert "pull-docker.io" in flows and "pull-platform" not in flows


# Ingresses -----------------------------------------------------------------------------------------------------------
# The application routing add-on's nginx serves the IngressClass webapprouting.kubernetes.azure.com;
# an Ingress of another class is not its. https://learn.microsoft.com/azure/aks/app-routing
def test_an_nginx_ingress_names_the_application_routing_class():
    loaded = load_stack(variant(load("dev"), {f"{C}ingress.controller": "nginx"}), "dev")
    ingresses = [m for m in loaded.plan.manifests if m["kind"] == "Ingress"]
    assert ingresses and {i["spec"]["ingressClassName"] for i in ingresses} == {"webapprouting.kubernetes.azure.com"}


# A flow's named port names a container port, so it follows the container port's grammar: an IANA
# service name, at most 15 characters, a letter somewhere, no '--' (the same rules as
# vocabulary.PORT_NAME). https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports
# (name: "an IANA_SVC_NAME"), https://www.rfc-editor.org/rfc/rfc6335#section-5.1
@pytest.mark.parametrize("value,name", [
    ("TCP/http", "http"), ("UDP/dns-udp", "dns-udp"), ("TCP/a23456789012345", "a23456789012345"),
    ("TCP/a234567890123456", None), ("TCP/web--api", None), ("TCP/-web", None), ("TCP/web-", None),
])
def test_a_flow_s_named_port_is_an_iana_service_name(value, name):
    from aksnet.config.schema import Problems
    from aksnet.config.workloads import parse_port
    problems = Problems()
    port = parse_port(problems, "p", value)
    assert (port.name if port is not None else None) == name
    assert bool(problems.items) == (name is None)


# A named port is "a numerical or named port on a pod" (NetworkPolicyPort,
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/): an address
# outside the cluster has none, and a firewall rule takes numbers. Refused at the port, with the number asked.
@pytest.mark.parametrize("to", [{"cidr": "192.0.2.0/24"}, {"fqdn": "api.example.com"}])
def test_a_named_port_towards_a_cidr_or_an_fqdn_is_refused_at_the_port(to):
    from aksnet.config.problems import ConfigError
    from aksnet.config.stack import load_spec
    from tests.stacks import load, variant
    config = variant(load("prod"), {"aks-networking:kubernetes.flows[3]": {
        "name": "api-out", "from": {"app": "api", "namespace": "shop"}, "to": to, "ports": ["TCP/443", "TCP/http"]}})
    with pytest.raises(ConfigError) as refused:
        load_spec(config, "prod")
    assert [(p.path, p.message) for p in refused.value.problems] == [
        ("aks-networking:kubernetes.flows[3].ports[1]",
         "TCP/http names a container port, and a cidr or an fqdn has none; give its number, e.g. TCP/443")]


# A node pool's OS disk is 0 to 2048 GB (ManagedClusterAgentPoolProfile osDiskSizeGB,
# https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update): the bound both ways.
@pytest.mark.parametrize("size,refused", [(1024, False), (2048, False), (2049, True)])
def test_a_pool_s_os_disk_takes_up_to_2048_gb(size, refused):
    from aksnet.config.problems import ConfigError
    from aksnet.config.stack import load_spec
    from tests.stacks import load, variant
    config = variant(load("dev"), {"aks-networking:cluster.nodePools[0].osDiskSizeGB": size})
    if not refused:
        assert load_spec(config, "dev").cluster.node_pools[0].os_disk_size_gb == size
        return
    with pytest.raises(ConfigError, match=r"cluster\.nodePools\[0\]\.osDiskSizeGB"):
        load_spec(config, "dev")


# The reachability engine reads label selectors from manifests as the API server validates them: In and
# NotIn need values, Exists and DoesNotExist take none.
# https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/#LabelSelector
@pytest.mark.parametrize("operator,values,valid", [
    ("In", [], False), ("NotIn", [], False), ("In", ["a"], True), ("NotIn", ["a"], True),
    ("Exists", [], True), ("DoesNotExist", [], True), ("Exists", ["a"], False), ("DoesNotExist", ["a"], False),
])
def test_the_engine_reads_a_selector_requirement_as_the_api_server_validates_it(operator, values, valid):
    from aksnet.analysis.reachability.selectors import Selector, SelectorError
    raw = {"matchExpressions": [{"key": "app", "operator": operator, "values": values}]}
    if valid:
        Selector.parse(raw)
    else:
        with pytest.raises(SelectorError):
            Selector.parse(raw)
