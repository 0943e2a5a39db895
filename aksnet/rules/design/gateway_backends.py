"""What the application gateway needs of the apps behind it: HTTP readiness probes, and a certificate
for each Ingress's TLS. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.rule import Rule, RuleBook

book = RuleBook()


AGIC_PROBES = "https://learn.microsoft.com/azure/application-gateway/ingress-controller-add-health-probes"


@book.refusal("agic-backends-probe-over-http", "Every backend of the application gateway has an HTTP readiness "
              "probe on the port it serves.", AGIC_PROBES, production="mandatory", development="advisory")
def agic_backends_probe_over_http(spec: StackConfig) -> Iterator[Problem]:
    """Without one, AGIC probes GET / on the backend: an app that answers only under its own path is
    marked unhealthy, and users get 502. AGIC probes no port but the one the backend serves."""
    if spec.ingress.controller != "appgw":
        return
    workloads = spec.kubernetes.workloads
    reported: set[int] = set()
    for route in workloads.ingresses:
        for entry in route.paths:
            index = next((i for i, a in enumerate(workloads.apps)
                          if (a.namespace, a.name) == (route.namespace, entry.app)), None)
            if index is None or index in reported:
                continue
            app = workloads.apps[index]
            served = app.container_port_of(entry.port, "TCP")
            if app.readiness is None:
                reported.add(index)
                yield Problem.at(f"kubernetes.apps[{index}].probes", f"{app.name} is behind the application "
                                 f"gateway ({route.name}{entry.path}) without an HTTP readiness probe: the gateway "
                                 f"would probe GET / on port {served}; declare probes.readiness {{path, port}}")
            elif app.readiness.port != served:
                reported.add(index)
                yield Problem.at(f"kubernetes.apps[{index}].probes.readiness.port", f"{app.readiness.port} is not "
                                 f"the port the gateway reaches {app.name} on ({served}); AGIC probes that port only")


AGIC_KEY_VAULT = "https://learn.microsoft.com/azure/application-gateway/key-vault-certs"


@book.refusal("ingress-tls-has-a-certificate", "An Ingress's TLS names a certificate the stack provides to its "
              "controller.", AGIC_KEY_VAULT)
def ingress_tls_has_a_certificate(spec: StackConfig) -> Iterator[Problem]:
    """A TLS secret nothing creates leaves HTTPS down. The application gateway takes the stack's
    certificates from its Key Vault; nginx's Key Vault integration is not set up by this project."""
    provided = {c.name for c in spec.tls.certificates} if spec.tls is not None else set()
    controller = spec.ingress.controller
    for index, route in enumerate(spec.kubernetes.workloads.ingresses):
        if route.tls_secret is None:
            continue
        key = f"kubernetes.ingresses[{index}].tlsSecret"
        if controller != "appgw":
            # nginx would need the app routing add-on's Key Vault integration; a Gateway's HTTPS listener,
            # a Kubernetes Secret in the ingress's namespace (docs/ingress.md): neither is set up yet.
            how = "the application routing add-on's Key Vault integration" if controller == "nginx" else \
                "a Kubernetes Secret for the Gateway's HTTPS listener"
            yield Problem.at(key, f"asks for TLS through {controller}, whose certificates this project cannot "
                             f"provide yet ({how}); serve it over HTTP, or use ingress.controller appgw with "
                             "tls.certificates")
        elif route.tls_secret not in provided:
            known = ", ".join(sorted(provided)) or "none"
            yield Problem.at(key, f"names {route.tls_secret}, which no tls.certificates provides (provided: {known}); "
                             "add it to tls.certificates, its PFX set as a secret")
    if spec.tls is not None and controller != "appgw":
        yield Problem.at("tls", "holds the application gateway's certificates, but ingress.controller is "
                         f"{controller}; use appgw, or remove tls")


RULES: tuple[Rule, ...] = tuple(book.rules)
