"""TLS: the gateway's certificates from a Key Vault of the stack, and the Ingresses that use them."""

import pytest

from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from components.roles import BUILTIN_ROLES
from tests.stacks import DELETE, load, validate_stack_config, variant
from tools import preview


def test_the_vault_is_rbac_purge_protected_and_private(prod):
    vault = prod.one("azure-native:keyvault:Vault")
    properties = vault.inputs["properties"]
    assert vault.inputs["vaultName"] == "kv-contoso-aksnet-prod" and vault.protect
    assert properties["enableRbacAuthorization"] is True and properties["enablePurgeProtection"] is True
    assert properties["publicNetworkAccess"] == "Disabled"
    assert properties["networkAcls"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    endpoint = next(e for e in prod.of_type("azure-native:network:PrivateEndpoint") if e.name == "keyvault-endpoint")
    assert endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["vault"]
    zone = next(z for z in prod.of_type("azure-native:privatedns:PrivateZone") if z.name == "keyvault-dns-zone")
    assert zone.inputs["privateZoneName"] == "privatelink.vaultcore.azure.net"
    secret = prod.one("azure-native:keyvault:Secret")
    assert secret.inputs["secretName"] == "shop-tls" and secret.inputs["properties"] == "[secret]"  # never shown


def test_the_gateway_reads_its_certificate_from_the_vault_with_an_identity_of_its_own(prod):
    gateway = prod.one("azure-native:network:ApplicationGateway").inputs
    identity = next(i for i in prod.of_type("azure-native:managedidentity:UserAssignedIdentity")
                    if i.name == "appgw-identity")
    assert gateway["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity.outputs["id"]]}
    assert gateway["sslCertificates"] == [
        {"name": "shop-tls", "keyVaultSecretId": "https://kv-contoso-aksnet-prod.vault.azure.net/secrets/shop-tls"}]
    vault = prod.one("azure-native:keyvault:Vault")
    readers = [r.inputs for r in prod.of_type("azure-native:authorization:RoleAssignment")
               if r.inputs["roleDefinitionId"].endswith(BUILTIN_ROLES["Key Vault Secrets User"])]
    assert [(r["principalId"], r["scope"]) for r in readers] == [(identity.outputs["principalId"],
                                                                  vault.outputs["id"])]
    record = prod.one("azure-native:network:ApplicationGateway")
    assert any(d.endswith("appgw-keyvault-secrets") for d in record.dependencies)  # readable before first use


def test_the_ingress_asks_agic_for_the_certificate_and_the_redirect_and_the_nsg_admits_443_and_80():
    plan = load_stack(load("prod"), "prod").plan
    ingress = next(m for m in plan.manifests if m["kind"] == "Ingress")
    assert ingress["metadata"]["annotations"] == {"appgw.ingress.kubernetes.io/appgw-ssl-certificate": "shop-tls",
                                                  "appgw.ingress.kubernetes.io/ssl-redirect": "true"}
    assert "tls" not in ingress["spec"]  # no Kubernetes secret: the gateway holds the certificate
    listeners = next(r for r in plan.nsg_rules["appgw"] if r.name == "AllowListenersFromInternet")
    assert tuple(listeners.ports) == ("80", "443")
    without_tls = variant(load("prod"), {"aks-networking:kubernetes.ingresses[0].tlsSecret": DELETE})
    listeners = next(r for r in load_stack(without_tls, "prod").plan.nsg_rules["appgw"]
                     if r.name == "AllowListenersFromInternet")
    assert tuple(listeners.ports) == ("80",)


def test_port_80_only_redirects():
    from aksnet.analysis.paths import Tracer, network_of
    loaded = load_stack(load("prod"), "prod")
    tracer = Tracer(network_of(loaded.spec, loaded.plan))
    https = tracer.trace(tracer.internet(), tracer.app_place("shop/web"), "TCP", 443)
    http = tracer.trace(tracer.internet(), tracer.app_place("shop/web"), "TCP", 80, via="ingress")
    assert https.verdict == "allowed"
    assert http.verdict == "denied" and http.decided_by.rule == \
        "ingress shop: shop.example.com:80 redirects to https://shop.example.com"


def test_a_tls_secret_nobody_provides_is_refused_in_one_line(tmp_path, capsys):
    import yaml
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": variant(load("prod"), {
        "aks-networking:kubernetes.ingresses[0].tlsSecret": "other-tls"})}))
    assert preview.main(["prod", "--config", str(path)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"{path}: aks-networking:kubernetes.ingresses[0].tlsSecret: names other-tls, which no "
                     "tls.certificates provides (provided: shop-tls); add it to tls.certificates, its PFX set as a "
                     "secret"]


@pytest.mark.parametrize("stack, changes, key, fragment", [
    ("dev", {"aks-networking:kubernetes.ingresses[0].tlsSecret": "webapp-tls"},
     "aks-networking:kubernetes.ingresses[0].tlsSecret", "TLS through envoyGateway"),
    ("prod", {"aks-networking:tls.certificates": []}, "aks-networking:tls.certificates", "is empty"),
    ("prod", {"aks-networking:tls.keyVault": "kv--double"}, "aks-networking:tls.keyVault", "single hyphens"),
    ("prod", {"aks-networking:tls.certificates[0].pfx": "not base64!"}, "aks-networking:tls.certificates[0].pfx",
     "password-less PFX"),
    ("prod", {"aks-networking:ingress": {"controller": "none"}, "aks-networking:kubernetes.ingresses": []},
     "aks-networking:tls", "ingress.controller is none"),
])
def test_tls_mistakes_are_refused_by_key(stack, changes, key, fragment):
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(variant(load(stack), changes), stack)
    assert any(p.path == key and fragment in p.message for p in refused.value.problems), refused.value.lines()
