"""Ingress: the controller and its block, the application gateway's SKU, subnet, frontends and WAF,
nginx, internal load balancers. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.rule import Rule, RuleBook

APPGW_INFRA = "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure"
AGIC_OVERLAY = ("https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview"
                "#container-networking-and-agic")
WAF = "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview"
APP_ROUTING = "https://learn.microsoft.com/azure/aks/app-routing"
INTERNAL_LB = "https://learn.microsoft.com/azure/aks/internal-lb"

book = RuleBook()


@book.refusal("ingress-block-matches-controller", "An ingress block is for the chosen controller.", APP_ROUTING)
def ingress_block_matches_controller(spec: StackConfig) -> Iterator[Problem]:
    # The parser fills a block's defaults only for the chosen controller, so a block present
    # under another controller was written by the user and would be ignored.
    ingress = spec.ingress
    if ingress.controller != "appgw" and ingress.app_gateway is not None:
        yield Problem.at("ingress.appGateway", f"is declared but ingress.controller is {ingress.controller}; "
                 "set controller appgw or remove appGateway")
    if ingress.controller != "nginx" and ingress.nginx is not None:
        yield Problem.at("ingress.nginx", f"is declared but ingress.controller is {ingress.controller}; "
                 "set controller nginx or remove nginx")


def _agic(spec: StackConfig) -> bool:
    return spec.ingress.controller == "appgw" and spec.ingress.app_gateway is not None


@book.refusal("agic-needs-a-v2-gateway", "AGIC supports only Standard_v2 and WAF_v2.", APPGW_INFRA)
def agic_needs_a_v2_gateway(spec: StackConfig) -> Iterator[Problem]:
    appgw = spec.ingress.app_gateway
    if _agic(spec) and appgw is not None and appgw.sku not in ("Standard_v2", "WAF_v2"):
        yield Problem.at("ingress.appGateway.sku",
                         f"{appgw.sku} is a v1 SKU; AGIC supports only Standard_v2 and WAF_v2")


@book.refusal("gateway-needs-its-subnet", "An application gateway needs a dedicated subnet.", APPGW_INFRA)
def gateway_needs_its_subnet(spec: StackConfig) -> Iterator[Problem]:
    if _agic(spec) and "appgw" not in spec.network.spoke.subnets:
        yield Problem.at("ingress.controller", "appgw needs a dedicated gateway subnet "
                 "(network.spoke.subnets.appgw, /24 recommended)")


@book.refusal("gateway-needs-a-frontend", "An application gateway has a public or a private frontend.", APPGW_INFRA)
def gateway_needs_a_frontend(spec: StackConfig) -> Iterator[Problem]:
    appgw = spec.ingress.app_gateway
    if _agic(spec) and appgw is not None and not appgw.public_frontend and appgw.private_ip is None:
        yield Problem.at("ingress.appGateway", "has neither a public frontend nor a privateIp; give it one")


@book.refusal("waf-prevention-in-production", "Production gateways run WAF_v2 in Prevention mode.",
              WAF, development="disabled")
def waf_prevention_in_production(spec: StackConfig) -> Iterator[Problem]:
    appgw = spec.ingress.app_gateway
    if not _agic(spec) or appgw is None:
        return
    if appgw.sku == "WAF_v2" and appgw.waf_mode == "Detection":
        yield Problem.at("ingress.appGateway.wafMode", "Detection only logs attacks; a production stack "
                 "needs Prevention")
    if appgw.sku != "WAF_v2":
        yield Problem.at("ingress.appGateway.sku", f"{appgw.sku} has no web application firewall; a "
                 "production stack needs WAF_v2")


@book.refusal("agic-overlay-outside-government", "AGIC on CNI Overlay is not available in Azure Government.",
              AGIC_OVERLAY)
def agic_overlay_outside_government(spec: StackConfig) -> Iterator[Problem]:
    # AGIC reaches Overlay pods through an OverlayExtensionConfig for the gateway subnet,
    # everywhere but Azure Government.
    location = spec.environment.location
    if _agic(spec) and spec.cluster.network_plugin_mode == "overlay" and location.startswith(("usgov", "usdod")):
        yield Problem.at("ingress.controller", f"appgw (AGIC) does not support Azure CNI Overlay in Azure "
                 f"Government ({location}); use envoyGateway, or Azure CNI without Overlay")


@book.refusal("agic-kubenet-route-table-without-udr", "No appliance default route on a v2 gateway subnet.", APPGW_INFRA)
def agic_kubenet_route_table_without_udr(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if _agic(spec) and c.network_plugin == "kubenet" and c.outbound_type == "userDefinedRouting":
        yield Problem.at("ingress.controller", "appgw with kubenet puts the cluster's route table on the "
                 "gateway subnet, and with userDefinedRouting that table sends 0.0.0.0/0 to an "
                 "appliance, which a v2 gateway does not support; use Azure CNI, or envoyGateway")


@book.refusal("nginx-fits-its-network", "An internal nginx needs the ILB subnet; a public one takes no static IP.",
              APP_ROUTING)
def nginx_fits_its_network(spec: StackConfig) -> Iterator[Problem]:
    nginx = spec.ingress.nginx
    if spec.ingress.controller != "nginx" or nginx is None:
        return
    if nginx.visibility == "internal" and "ilb" not in spec.network.spoke.subnets:
        yield Problem.at("ingress.nginx.visibility", "internal needs an internal load balancer subnet "
                 "(network.spoke.subnets.ilb)")
    if nginx.visibility == "public" and nginx.static_ip is not None:
        yield Problem.at("ingress.nginx.staticIp", "is for an internal load balancer; a public one takes its "
                 "address from Azure")


@book.refusal("internal-services-need-ilb-subnet", "Internal load balancer Services need the ILB subnet.", INTERNAL_LB)
def internal_services_need_ilb_subnet(spec: StackConfig) -> Iterator[Problem]:
    if "ilb" in spec.network.spoke.subnets:
        return
    for index, app in enumerate(spec.kubernetes.workloads.apps):
        if app.service_type == "InternalLoadBalancer":
            yield Problem.at(f"kubernetes.apps[{index}].serviceType",
                     "InternalLoadBalancer needs an internal load balancer subnet (network.spoke.subnets.ilb)")


@book.refusal("ingresses-need-a-controller", "Ingresses need an ingress controller.", APP_ROUTING)
def ingresses_need_a_controller(spec: StackConfig) -> Iterator[Problem]:
    if spec.kubernetes.workloads.ingresses and spec.ingress.controller == "none":
        yield Problem.at("kubernetes.ingresses", "need an ingress controller; set ingress.controller to "
                         "envoyGateway, agc or appgw")
    if spec.ingress.controller == "none":  # a flow from the controller's proxies, with no proxies to admit
        for index, flow in enumerate(spec.kubernetes.workloads.flows):
            if flow.source.ingress_controller:
                yield Problem.at(f"kubernetes.flows[{index}].from.ingressController", "names the ingress controller, "
                                 "but ingress.controller is none; set one (envoyGateway, agc or appgw), or "
                                 "name the flow's source by app, labels or cidr")


RULES: tuple[Rule, ...] = tuple(book.rules)
