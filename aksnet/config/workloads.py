"""The Kubernetes layer's stack configuration: namespaces, apps, ingresses, flows, policies.

Parsed by `aksnet.config.stack` under `aks-networking:kubernetes`; pure, no Pulumi.
A flow names who may talk to whom on which ports; `aksnet.plan.netpol` compiles flows into
NetworkPolicies and `aksnet.analysis.reachability` proves the result.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from aksnet.config.image_reference import reference_problem
from aksnet.config.policy_spec import check_policy_spec
from aksnet.config.schema import (
    Address4,
    JsonValue,
    Network4,
    Obj,
    Problems,
    element,
    parse_cidr,
    show,
    string_item,
)
from aksnet.vocabulary import (
    DNS_1035_LABEL,
    DNS_1123_LABEL,
    FQDN,
    FQDN_HINT,
    KUBERNETES_PROTOCOLS,
    LABEL_KEY,
    LABEL_VALUE,
    NAMESPACE_NAME_LABEL,
    PLATFORM_IMAGE,
    PLATFORM_NAMESPACES,
    PORT_NAME,
    PRIVATE_RANGES,
)

K8S_NAMES = "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/"
K8S_LABELS = "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set"
DNS_LABEL = DNS_1123_LABEL
DNS_LABEL_HINT = "lower-case letters, digits and '-', at most 63 characters"
INTERNET = ipaddress.IPv4Network("0.0.0.0/0")
SERVICE_TYPES = ("ClusterIP", "InternalLoadBalancer", "LoadBalancer", "None")
PORT_PATTERN = rf"(TCP|UDP|SCTP)/([0-9]{{1,5}})(-([0-9]{{1,5}}))?|(TCP|UDP|SCTP)/({PORT_NAME})"
"""A flow's port: a number, a range, or a container port's name (the one IANA grammar, `PORT_NAME`)."""


@dataclass(frozen=True)
class ContainerPort:
    name: str | None
    port: int
    """The Service's port."""
    protocol: str = "TCP"
    target_port: int | None = None
    """The container's port, when it differs from the Service's."""

    @property
    def container_port(self) -> int:
        return self.target_port or self.port


@dataclass(frozen=True)
class Probe:
    """An HTTP GET health check of the container: `path` on `port`, one of the app's container ports."""

    path: str
    port: int


@dataclass(frozen=True)
class App:
    """A workload of the stack: its Deployment, its Service, and the ports both expose."""

    name: str
    namespace: str
    image: str
    labels: Mapping[str, str]
    ports: tuple[ContainerPort, ...]
    replicas: int
    service_type: str
    static_ip: Address4 | None = None
    writable_paths: tuple[str, ...] = ("/tmp",)
    """Directories the container writes to (its root filesystem is read-only)."""
    readiness: Probe | None = None
    """When the pod gets traffic; AGIC's backend health probe follows it. None: a TCP check."""
    liveness: Probe | None = None
    """When the kubelet restarts the container; None: a TCP check."""

    def container_port_of(self, port: int, protocol: str) -> int:
        """A Service port of this app becomes its container port; any other port is a container port."""
        for entry in self.ports:
            if entry.port == port and entry.protocol == protocol:
                return entry.container_port
        return port


@dataclass(frozen=True)
class IngressPath:
    path: str
    app: str
    port: int


@dataclass(frozen=True)
class IngressRoute:
    name: str
    namespace: str
    host: str
    tls_secret: str | None
    paths: tuple[IngressPath, ...]


@dataclass(frozen=True)
class PortRange:
    """`TCP/80`, `TCP/8000-8080`, or a named port `TCP/http` resolved at the destination; in a
    NetworkPolicy, an entry without a port (`TCP`) is every port of its protocol."""

    protocol: str
    port: int | None = None
    end_port: int | None = None
    name: str | None = None

    def text(self) -> str:
        if self.name is not None:
            return f"{self.protocol}/{self.name}"
        if self.end_port is not None:
            return f"{self.protocol}/{self.port}-{self.end_port}"
        return f"{self.protocol}/{self.port}"


@dataclass(frozen=True)
class Endpoint:
    """One side of a flow: an app, a whole namespace, a label selection, a CIDR, or the ingress controller."""

    app: str | None = None
    namespace: str | None = None
    namespace_labels: Mapping[str, str] | None = None
    pod_labels: Mapping[str, str] | None = None
    cidr: Network4 | None = None
    except_: tuple[Network4, ...] = ()
    ingress_controller: bool = False
    fqdn: str | None = None
    """A host on the internet. Its pods' NetworkPolicy allows the internet (every address outside
    RFC 1918) on the flow's ports, and the firewall narrows that to the name."""


@dataclass(frozen=True)
class Flow:
    name: str
    source: Endpoint
    destination: Endpoint
    ports: tuple[PortRange, ...]
    """Empty: every port."""


@dataclass(frozen=True)
class LiteralPolicy:
    """A NetworkPolicy spec given as is, for what flows do not express."""

    name: str
    namespace: str
    spec: Mapping[str, JsonValue]


@dataclass(frozen=True)
class Workloads:
    namespaces: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    apps: tuple[App, ...] = ()
    ingresses: tuple[IngressRoute, ...] = ()
    flows: tuple[Flow, ...] = ()
    policies: tuple[LiteralPolicy, ...] = ()
    default_deny: bool = True

    def app(self, namespace: str, name: str) -> App | None:
        return next((a for a in self.apps if a.namespace == namespace and a.name == name), None)

    def apps_selected_by(self, endpoint: Endpoint) -> list[App]:
        """The apps an endpoint of pods selects: by app, namespace, namespace labels and pod labels
        (a namespace carries its own name as the label Kubernetes gives it)."""
        out = []
        for app in self.apps:
            labels = {**self.namespaces.get(app.namespace, {}), NAMESPACE_NAME_LABEL: app.namespace}
            if endpoint.app is not None and (app.name, app.namespace) != (endpoint.app, endpoint.namespace):
                continue
            if endpoint.namespace is not None and app.namespace != endpoint.namespace:
                continue
            if endpoint.namespace_labels and any(labels.get(k) != v for k, v in endpoint.namespace_labels.items()):
                continue
            if endpoint.pod_labels and any(app.labels.get(k) != v for k, v in endpoint.pod_labels.items()):
                continue
            out.append(app)
        return out

    @property
    def app_namespaces(self) -> tuple[str, ...]:
        """Namespaces that run apps: they get default deny and a DNS allowance."""
        return tuple(sorted({a.namespace for a in self.apps}))


def _name(obj: Obj, key: str = "name", *, doc: str = "") -> str:
    return obj.text(key, pattern=DNS_LABEL, hint=DNS_LABEL_HINT, doc=doc, source=K8S_NAMES)




def kubernetes_labels(obj: Obj, key: str, *, doc: str = "", default_doc: str = "") -> dict[str, str]:
    """Labels (or a selector's labels): each key `prefix/name` and value in the API's syntax."""
    labels = obj.labels(key, doc=doc, source=K8S_LABELS, default_doc=default_doc)
    for name, value in labels.items():
        path = f"{obj.key_path(key)}.{name}"
        prefix = name.rpartition("/")[0]
        if not re.fullmatch(LABEL_KEY, name) or len(prefix) > 253:
            obj.problems.add(path, "is not a label key: an optional DNS prefix and '/', then at most 63 letters, "
                             "digits, '-', '_' or '.', a letter or digit at each end")
        elif not re.fullmatch(LABEL_VALUE, value):
            obj.problems.add(path, f"{show(value)} is not a label value: at most 63 letters, digits, '-', '_' or '.', "
                             "a letter or digit at each end")
    return labels


def _container_port(obj: Obj) -> ContainerPort | None:
    return ContainerPort(
        name=obj.text("name", None, pattern=PORT_NAME,  # the IANA service name rules: aksnet.vocabulary
                      hint="an IANA port name: lower case, at most 15 characters, a letter among them, no '--'",
                      doc="a named port, for flows' `TCP/<name>`"),
        port=obj.whole("port", minimum=1, maximum=65535, doc="the Service's port"),
        protocol=obj.choice("protocol", KUBERNETES_PROTOCOLS, "TCP", doc="the protocol"),
        target_port=obj.whole("targetPort", None, minimum=1, maximum=65535,
                              doc="the container's port, when it differs"))


def _app(obj: Obj) -> App | None:
    app = App(
        name=obj.text("name", pattern=DNS_1035_LABEL, hint="a Service name (RFC 1035): lower-case letters, digits "
                      "and '-', a letter first, at most 63 characters",
                      doc="the app's name, also its Service's"),
        namespace=_name(obj, "namespace", doc="a namespace of `namespaces`"),
        image=obj.text("image",  # its grammar: aksnet.config.image_reference, below
                       doc="a full image reference, or `platform://repo:tag` for the platform registry"),
        labels=kubernetes_labels(obj, "labels", doc="the pods' labels: its Service and the policies select them"),
        ports=obj.records("ports", _container_port, max_items=20, doc="the Service's ports and the container's"),
        replicas=obj.whole("replicas", 2, minimum=0, maximum=1000, doc="the Deployment's replicas"),
        service_type=obj.choice("serviceType", SERVICE_TYPES, "ClusterIP",
                                doc="the Service: ClusterIP, an internal load balancer, a public LoadBalancer, or "
                                    "none"),
        static_ip=obj.address("staticIp", None, doc="an internal load balancer's address, inside the `ilb` subnet"),
        writable_paths=obj.items("writablePaths", string_item(r"/[A-Za-z0-9._/-]*", "an absolute path"),
                                 ("/tmp",), max_items=10,
                                 doc="directories the container writes to; its root filesystem is read-only"))
    probes = obj.nested("probes", doc="HTTP GET health checks; without them, TCP checks")
    if probes is not None and probes.valid:
        app = replace(app, readiness=_probe(probes, "readiness", app, "when the pod gets traffic; AGIC's health "
                                            "probe follows it"),
                      liveness=_probe(probes, "liveness", app, "when the kubelet restarts the container"))
        probes.done()
    if app.image:
        platform = app.image.startswith(PLATFORM_IMAGE)
        problem = reference_problem(app.image.removeprefix(PLATFORM_IMAGE), remote_only=platform)
        if problem is not None:
            obj.problems.add(obj.key_path("image"), problem)
    if app.static_ip is not None and app.service_type != "InternalLoadBalancer":
        obj.problems.add(obj.key_path("staticIp"), "is only for serviceType InternalLoadBalancer")
    if app.service_type != "None" and not app.ports:
        obj.problems.add(obj.key_path("ports"), f"is empty, but a {app.service_type} Service needs a port")
    return app


def _probe(probes: Obj, key: str, app: App, doc: str) -> Probe | None:
    """`{path, port}`: the port defaults to the app's first container port and must be one of them."""
    obj = probes.nested(key, doc=doc)
    if obj is None or not obj.valid:
        return None
    path = obj.text("path", pattern=r"/[A-Za-z0-9._~/%-]*", hint="an absolute URL path such as /healthz",
                    doc="the URL path the check gets")
    ports = [p.container_port for p in app.ports if p.protocol == "TCP"]
    port = obj.whole("port", ports[0] if ports else 0, minimum=1, maximum=65535,
                     doc="a TCP container port of the app",
                     default_doc="the app's first TCP container port")
    obj.done()
    if port and port not in ports:
        obj.problems.add(obj.key_path("port") if obj.has("port") else obj.path,
                         f"{port} is not a TCP container port of {app.name} ({', '.join(map(str, ports)) or 'none'})")
    return Probe(path, port) if path and port else None


def _ingress_path(entry: Obj) -> IngressPath | None:
    return IngressPath(path=entry.text("path", pattern=r"/[A-Za-z0-9._~/-]*", hint="a path such as /a",
                                       doc="the URL path"),
                       app=_name(entry, "app", doc="an app of the Ingress's namespace"),
                       port=entry.whole("port", 80, minimum=1, maximum=65535, doc="a Service port of the app"))


def _ingress(obj: Obj) -> IngressRoute | None:
    return IngressRoute(
        name=_name(obj, doc="the Ingress's name"), namespace=_name(obj, "namespace", doc="its namespace"),
        host=obj.text("host", pattern=r"([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}",
                      hint="a DNS host name such as app.example.com",
                      doc="the host it serves"),
        tls_secret=obj.text("tlsSecret", None, pattern=DNS_LABEL, hint=DNS_LABEL_HINT,
                            doc="a certificate of `tls.certificates` (application gateway only)"),
        paths=obj.records("paths", _ingress_path, min_items=1, unique=False, required=True, doc="paths to apps"))


@element("TCP/80, UDP/53, a range TCP/8000-8080 or a named port TCP/http (SCTP too)")
def parse_port(problems: Problems, path: str, value: object) -> PortRange | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"TCP/{value}"
    match = re.fullmatch(PORT_PATTERN, value) if isinstance(value, str) else None
    if match is None:
        problems.add(path, f"{value!r} is not a port; expected TCP/80, UDP/53, TCP/8000-8080 or a named port TCP/http")
        return None
    if match.group(1):
        start, end = int(match.group(2)), int(match.group(4)) if match.group(4) else None
        if not 1 <= start <= 65535 or (end is not None and not start < end <= 65535):
            problems.add(path, f"{value!r} is not a port range within 1-65535 with start below end")
            return None
        return PortRange(match.group(1), start, end)
    return PortRange(match.group(5), name=match.group(6))


@element("an IPv4 CIDR such as 10.1.0.0/16 (host bits zero)")
def _cidr_item(problems: Problems, path: str, value: object) -> Network4 | None:
    return parse_cidr(problems, path, value)


def _endpoint(problems: Problems, path: str, value: object) -> Endpoint | None:
    obj = Obj(problems, path, value)
    if not obj.valid:
        if value is None:
            problems.add(path, "is required: an app, a namespace, labels, a cidr, an fqdn or ingressController")
        return None
    cidr = obj.cidr("cidr", None, doc="an outside range")
    fqdn = obj.text("fqdn", None, pattern=FQDN, hint=FQDN_HINT,
                    doc="a host on the internet, `*.` allowed (destination only)")
    endpoint = Endpoint(
        app=obj.text("app", None, pattern=DNS_LABEL, hint=DNS_LABEL_HINT, doc="an app, with its namespace"),
        namespace=obj.text("namespace", None, pattern=DNS_LABEL, hint=DNS_LABEL_HINT,
                           doc="all pods of a namespace, or the app's"),
        namespace_labels=kubernetes_labels(obj, "namespaceLabels", doc="namespaces by label (`{}`: every namespace)",
                                           default_doc="unset") if obj.has("namespaceLabels") else None,
        pod_labels=kubernetes_labels(obj, "podLabels", doc="pods by label (`{}`: every pod)",
                                     default_doc="unset") if obj.has("podLabels") else None,
        cidr=cidr,
        except_=obj.items("except", _cidr_item, (), doc="ranges inside `cidr` left out"),
        ingress_controller=obj.flag("ingressController", False,
                                    doc="the ingress controller (source only)"), fqdn=fqdn.lower() if fqdn else None)
    obj.done()
    kinds = [endpoint.app is not None or endpoint.namespace is not None or endpoint.namespace_labels is not None
             or endpoint.pod_labels is not None, endpoint.cidr is not None, endpoint.ingress_controller,
             endpoint.fqdn is not None]
    if sum(kinds) != 1:
        problems.add(path, "needs exactly one of: pods (app, namespace, namespaceLabels, podLabels), "
                     "cidr, fqdn, or ingressController")
    elif endpoint.fqdn is not None:
        endpoint = replace(endpoint, cidr=INTERNET, except_=tuple(ipaddress.IPv4Network(r) for r in PRIVATE_RANGES))
    if endpoint.app is not None and endpoint.namespace is None:
        problems.add(f"{path}.app", "needs the app's namespace beside it")
    if endpoint.app is not None and endpoint.pod_labels is not None:
        problems.add(f"{path}.podLabels", "is set together with app; an app already selects its pods")
    if endpoint.namespace is not None and endpoint.namespace_labels is not None:
        problems.add(f"{path}.namespaceLabels", "is set together with namespace; choose one")
    for index, excluded in enumerate(() if endpoint.fqdn else endpoint.except_):
        if cidr is None or not (excluded.subnet_of(cidr) and excluded != cidr):
            problems.add(f"{path}.except[{index}]", f"{excluded} must lie strictly inside cidr {cidr}")
    return endpoint


def _flow(obj: Obj) -> Flow | None:
    source = _endpoint(obj.problems, obj.key_path("from"), obj.raw("from",
                                                                   doc="the source: pods (app and namespace, labels), "
                                                                       "a cidr, or the ingress controller"))
    destination = _endpoint(obj.problems, obj.key_path("to"), obj.raw("to",
                                                                      doc="the destination: pods (app and namespace, "
                                                                          "labels), a cidr, or an fqdn"))
    name = _name(obj, doc="the flow's name")
    ports = obj.items("ports", parse_port, (), unique=False,
                      doc="no ports means every port; a Service port becomes its container port")
    if source is None or destination is None:
        return None
    if source.fqdn is not None:
        obj.problems.add(f"{obj.key_path('from')}.fqdn", "is a destination only: traffic from the internet "
                         "arrives through an Ingress, a public Service or a firewall DNAT rule")
    if destination.ingress_controller:
        obj.problems.add(f"{obj.key_path('to')}.ingressController", "is a source only: the ingress controller "
                         "sends to apps; for traffic from the internet, declare an Ingress to the app")
    if destination.cidr is not None or destination.fqdn is not None:
        # A named port is a port of a pod ("a numerical or named port on a pod", NetworkPolicyPort); an address
        # outside the cluster has none, and a firewall rule names numbers.
        for index, port in enumerate(ports):
            if port.name is not None:
                obj.problems.add(f"{obj.key_path('ports')}[{index}]", f"{port.text()} names a container port, and "
                                 "a cidr or an fqdn has none; give its number, e.g. TCP/443")
    web = bool(ports) and all(p.protocol == "TCP" and p.end_port is None and p.port in (80, 443) for p in ports)
    if destination.fqdn is not None and destination.fqdn.startswith("*.") and not web:
        # Only HTTP and HTTPS go through an application rule, which takes `*.`; any other port needs a network
        # rule, whose names match exactly (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules),
        # so the wildcard would let nothing through.
        obj.problems.add(f"{obj.key_path('to')}.fqdn", f"{destination.fqdn} is a wildcard, which the firewall "
                         "matches on HTTP and HTTPS only (ports TCP/80, TCP/443); for other ports name each host")
    return Flow(name=name, source=source, destination=destination, ports=ports)


def _policy(obj: Obj) -> LiteralPolicy | None:
    name, namespace = _name(obj, doc="the policy's name"), _name(obj, "namespace", doc="its namespace")
    spec = obj.raw("spec", doc="a NetworkPolicy spec, read strictly as the Kubernetes API would")
    if spec is None:
        return None
    check_policy_spec(obj.problems, obj.key_path("spec"), spec)
    return LiteralPolicy(name=name, namespace=namespace, spec=dict(spec) if isinstance(spec, Mapping) else {})


def _namespace(entry: Obj) -> tuple[str, dict[str, str]] | None:
    name = _name(entry, doc="a DNS label; no namespace of Kubernetes, AKS or an add-on")
    labels = kubernetes_labels(entry, "labels", doc="the namespace's labels")
    return (name, labels) if name else None


def parse_workloads(obj: Obj) -> Workloads:
    """Read the workload keys of `aks-networking:kubernetes`; cross-references in `check_workloads`."""
    namespaces = obj.records("namespaces", _namespace, unique=False, doc="the namespaces the stack declares")
    return Workloads(
        namespaces=dict(namespaces),
        apps=obj.records("apps", _app, unique=False, doc="workloads: a Deployment and its Service each"),
        ingresses=obj.records("ingresses", _ingress, unique=False,
                              doc="`networking.k8s.io/v1` Ingresses with the controller's `ingressClassName`"),
        flows=obj.records("flows", _flow, doc="who may talk to whom; see [the Kubernetes layer]"
                                "(stack-sections.md#the-kubernetes-layer-aks-networkingkubernetes)"),
        policies=obj.records("policies", _policy, unique=False,
                             doc="literal NetworkPolicy specs, for what flows do not say"),
        default_deny=obj.flag("defaultDeny", True,
                              doc="default deny for ingress and egress in every namespace that runs apps, with DNS to "
                                  "kube-system allowed"))


def check_workloads(workloads: Workloads, path: str, problems: Problems) -> None:
    """Cross-references: every app, namespace and port a flow or ingress names must exist."""
    known = set(workloads.namespaces) | set(PLATFORM_NAMESPACES)
    seen_apps: set[tuple[str, str]] = set()
    for index, app in enumerate(workloads.apps):
        where = f"{path}.apps[{index}]"
        if app.namespace not in workloads.namespaces and app.namespace not in PLATFORM_NAMESPACES:
            problems.add(f"{where}.namespace", f"'{app.namespace}' is not in kubernetes.namespaces; declare it")
        if (app.namespace, app.name) in seen_apps:
            problems.add(f"{where}.name", f"'{app.name}' is declared twice in namespace {app.namespace}")
        seen_apps.add((app.namespace, app.name))
        if not app.labels:
            problems.add(f"{where}.labels", "is empty; an app needs labels for its Service and policies to select it")
    for index, route in enumerate(workloads.ingresses):
        for number, entry in enumerate(route.paths):
            backend = workloads.app(route.namespace, entry.app)
            if backend is None:
                problems.add(f"{path}.ingresses[{index}].paths[{number}].app",
                            f"'{entry.app}' is not an app in namespace {route.namespace}")
            elif backend.service_type == "None" or entry.port not in [p.port for p in backend.ports]:
                problems.add(f"{path}.ingresses[{index}].paths[{number}].port",
                            f"{entry.port} is not a Service port of {entry.app}")
    for index, flow in enumerate(workloads.flows):
        for side, endpoint in (("from", flow.source), ("to", flow.destination)):
            where = f"{path}.flows[{index}].{side}"
            if endpoint.namespace is not None and endpoint.namespace not in known:
                problems.add(f"{where}.namespace", f"'{endpoint.namespace}' is not a declared namespace")
            elif endpoint.app is not None and endpoint.namespace is not None and \
                    workloads.app(endpoint.namespace, endpoint.app) is None:
                problems.add(f"{where}.app", f"'{endpoint.app}' is not an app in namespace {endpoint.namespace}")
        destination = flow.destination
        target = None
        if destination.app is not None and destination.namespace is not None:
            target = workloads.app(destination.namespace, destination.app)
        # To one app, a Service port is translated to its container port; to pods selected otherwise, one
        # NetworkPolicy port serves every pod, and NetworkPolicies see the port the pod listens on
        # (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource),
        # so a Service port that some selected app listens on elsewhere would open the wrong port.
        selected = workloads.apps_selected_by(destination) if target is None and destination.cidr is None \
            and destination.fqdn is None and not destination.ingress_controller else []
        for number, port in enumerate(flow.ports):
            if port.name is not None and target is not None and port.name not in {p.name for p in target.ports}:
                problems.add(f"{path}.flows[{index}].ports[{number}]",
                            f"'{port.name}' is not a named port of {destination.app}")
            if port.port is None or port.end_port is not None:
                continue
            for app in selected:
                listens = app.container_port_of(port.port, port.protocol)
                if listens != port.port:
                    problems.add(f"{path}.flows[{index}].ports[{number}]",
                                 f"{port.protocol}/{port.port} is a Service port of {app.namespace}/{app.name}, whose "
                                 f"pods listen on {listens}; a flow to several apps names the port the pods listen "
                                 f"on: use {port.protocol}/{listens}, or a flow to that app alone")
                    break
        if flow.source.cidr is not None and flow.destination.cidr is not None and flow.source.fqdn is None:
            problems.add(f"{path}.flows[{index}]", "runs between two CIDRs; one side must be pods of the cluster")
    for index, policy in enumerate(workloads.policies):
        if policy.namespace not in known:
            problems.add(f"{path}.policies[{index}].namespace", f"'{policy.namespace}' is not a declared namespace")
