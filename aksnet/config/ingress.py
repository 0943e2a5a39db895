"""The `ingress` and `tls` sections: the ingress controller (the application gateway or nginx) and the
gateway's certificates. Pure, no Pulumi."""

from __future__ import annotations

from aksnet.config.model import AgcSpec, AppGatewaySpec, Certificate, IngressSpec, NginxSpec, TlsSpec
from aksnet.config.schema import Obj, zone_item

# The Gateway API controllers (envoyGateway, agc): aksnet/config/ingress_controllers.py, docs/ingress.md.
INGRESS_CONTROLLERS = ("appgw", "nginx", "envoyGateway", "agc", "none")
WAF_POLICY_ID = (r"/subscriptions/[0-9A-Fa-f-]{36}/resourceGroups/[^/]+/providers/Microsoft\.Network/"
                 r"[Aa]pplication[Gg]ateway[Ww]eb[Aa]pplication[Ff]irewall[Pp]olicies/[^/]+")
APPGW_SKUS = ("WAF_v2", "Standard_v2", "Standard", "WAF")
WAF_MODES = ("Prevention", "Detection")
NGINX_VISIBILITY = ("internal", "public")


def read_ingress(obj: Obj) -> IngressSpec:
    controller = obj.choice("controller", INGRESS_CONTROLLERS, "none",
                            doc="the ingress controller: Envoy Gateway or Application Gateway for Containers (Gateway "
                                "API, docs/ingress.md), Application Gateway with AGIC, or nginx of the application "
                                "routing add-on")
    appgw_obj = obj.nested("appGateway", doc="the application gateway AGIC drives")
    nginx_obj = obj.nested("nginx", doc="the application routing add-on's nginx")
    agc_obj = obj.nested("agc", doc="Application Gateway for Containers' options")
    obj.done()
    appgw = None
    if appgw_obj is not None and appgw_obj.valid:
        appgw = AppGatewaySpec(
            sku=appgw_obj.choice("sku", APPGW_SKUS, "WAF_v2",
                                 doc="v1 SKUs are refused (AGIC needs v2); production needs WAF_v2"),
            waf_mode=appgw_obj.choice("wafMode", WAF_MODES, "Prevention", doc="Detection is refused in production"),
            min_capacity=appgw_obj.whole("minCapacity", 0, minimum=0, maximum=125, doc="autoscale: fewest instances"),
            max_capacity=appgw_obj.whole("maxCapacity", 10, minimum=1, maximum=125, doc="autoscale: most instances"),
            zones=appgw_obj.items("zones", zone_item, (), max_items=3, doc="the gateway's availability zones"),
            public_frontend=appgw_obj.flag("publicFrontend", True, doc="a public frontend IP"),
            private_ip=appgw_obj.address("privateIp", None,
                                         doc="a private frontend: a usable address of the `appgw` subnet"),
        )
        if appgw.min_capacity > appgw.max_capacity:
            obj.problems.add(appgw_obj.key_path("minCapacity"),
                             f"is {appgw.min_capacity}, greater than maxCapacity {appgw.max_capacity}")
        appgw_obj.done()
    elif controller == "appgw":
        appgw = AppGatewaySpec("WAF_v2", "Prevention", 0, 10, (), True, None)
    nginx = None
    if nginx_obj is not None and nginx_obj.valid:
        nginx = NginxSpec(visibility=nginx_obj.choice("visibility", NGINX_VISIBILITY, "internal",
                                                      doc="internal needs the `ilb` subnet"),
                          static_ip=nginx_obj.address("staticIp", None, doc="internal only, inside the `ilb` subnet"))
        nginx_obj.done()
    elif controller == "nginx":
        nginx = NginxSpec("internal", None)
    agc = None
    if agc_obj is not None and agc_obj.valid:
        agc = AgcSpec(waf_policy_id=agc_obj.text(
            "wafPolicyId", None, pattern=WAF_POLICY_ID,
            hint="the resource id of an Application Gateway WAF policy",
            doc="an Application Gateway WAF policy for AGC's Gateways: in preview, refused in production",
            source="https://learn.microsoft.com/azure/application-gateway/for-containers/web-application-firewall")
            or None)
        agc_obj.done()
        if controller != "agc":
            obj.problems.add(obj.key_path("agc"), f"is declared but controller is {controller}; set controller agc "
                             "or remove agc")
    elif controller == "agc":
        agc = AgcSpec()
    return IngressSpec(controller=controller, app_gateway=appgw, nginx=nginx, agc=agc)


def _certificate(obj: Obj) -> Certificate | None:
    """https://learn.microsoft.com/azure/application-gateway/key-vault-certs#supported-certificates"""
    name = obj.text("name", pattern=r"[A-Za-z0-9-]{1,127}", hint="letters, digits and '-', at most 127",
                    doc="the Key Vault secret's name, which an Ingress's `tlsSecret` names")
    pfx = obj.text("pfx", pattern=r"\[secret\]|[A-Za-z0-9+/=]{16,}",
                   hint="a password-less PFX in base64, set as a secret: pulumi config set --path --secret "
                        "'aks-networking:tls.certificates[0].pfx' \"$(base64 -w0 cert.pfx)\"",
                   doc="a password-less PFX in base64, set as a secret",
                   source="https://learn.microsoft.com/azure/application-gateway/key-vault-certs#supported-certificates")
    return Certificate(name, pfx) if name and pfx else None


def read_tls(obj: Obj) -> TlsSpec | None:
    """Key Vault names: https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#vault-name-and-object-name"""
    if not obj.valid:
        return None
    vault = obj.text("keyVault", pattern=r"[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]",
                     hint="3 to 24 letters, digits and single hyphens, a letter first, unique in Azure",
                     doc="the stack's Key Vault, `https://<name>.vault.azure.net`; unique in Azure",
                     source="https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#vault-name-and-object-name")
    certificates = obj.records("certificates", _certificate, doc="the application gateway's certificates")
    obj.done()
    if not certificates:
        obj.problems.add(obj.key_path("certificates"), "is empty; name at least one certificate, or remove tls")
    return TlsSpec(vault, certificates) if vault else None
