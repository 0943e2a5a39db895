"""Settings of the declared resources that Azure or Kubernetes needs, or that keep them safe, each with the
page that says what the other value would do. The committed stacks, run once per session (conftest)."""


def test_the_cluster_authorizes_with_kubernetes_rbac_and_managed_entra_id(prod):
    """Azure RBAC for Kubernetes authorization works on top of Kubernetes RBAC, which must be enabled, and
    Entra ID joins through the AKS-managed integration (`managed: true`); the legacy integration is retired.
    https://learn.microsoft.com/azure/aks/manage-azure-rbac
    https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id"""
    cluster = prod.one("azure-native:containerservice:ManagedCluster").inputs
    assert cluster["enableRBAC"] is True
    assert cluster["aadProfile"]["managed"] is True and cluster["aadProfile"]["enableAzureRBAC"] is True


def test_the_key_vault_keeps_deleted_certificates_for_the_longest_retention(prod):
    """Soft delete keeps a deleted secret recoverable for 7 to 90 days (90 unless set), and purge protection
    stops anyone purging it before then: https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview"""
    vault = prod.one("azure-native:keyvault:Vault").inputs["properties"]
    assert vault["enableSoftDelete"] is True and vault["softDeleteRetentionInDays"] == 90
    assert vault["enablePurgeProtection"] is True
    # Azure RBAC, not access policies, and no public network path
    assert vault["enableRbacAuthorization"] is True and vault["publicNetworkAccess"] == "Disabled"


def test_the_flow_log_account_takes_https_only_over_tls_1_2_and_no_anonymous_reads(prod):
    """Secure transfer required refuses plain HTTP requests to the account
    (https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer); anonymous blob reads
    stay off (https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent)."""
    account = prod.one("azure-native:storage:StorageAccount").inputs
    assert account["enableHttpsTrafficOnly"] is True and account["minimumTlsVersion"] == "TLS1_2"
    assert account["allowBlobPublicAccess"] is False
    assert account["networkRuleSet"]["defaultAction"] == "Deny"


def test_every_public_ip_is_a_static_standard_one(prod):
    """A Standard SKU public IP address is always allocated statically (Dynamic is refused), and the firewall,
    the application gateway v2 and Bastion take Standard ones only. The Global tier is for a cross-region
    load balancer's frontend alone; every address here serves one region's resource, so it is Regional.
    https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#sku,
    https://learn.microsoft.com/azure/load-balancer/cross-region-overview"""
    addresses = prod.of_type("azure-native:network:PublicIPAddress")
    assert addresses
    for address in addresses:
        assert (address.inputs["sku"]["name"], address.inputs["publicIPAllocationMethod"]) == ("Standard", "Static")
        assert address.inputs["sku"]["tier"] == "Regional"


def test_the_waf_inspects_request_bodies(prod):
    """With request body inspection off, the WAF does not evaluate the body of a request against its rules,
    so an attack carried in a POST body passes in Prevention mode too.
    https://learn.microsoft.com/azure/web-application-firewall/ag/application-gateway-waf-request-size-limits"""
    settings = prod.one("azure-native:network:WebApplicationFirewallPolicy").inputs["policySettings"]
    assert settings["requestBodyCheck"] is True


def test_the_pod_security_initiative_is_enforced_not_only_reported(prod):
    """An assignment's enforcementMode `Default` applies the policies' effect (here deny) on create and
    update; `DoNotEnforce` would only evaluate and report.
    https://learn.microsoft.com/azure/governance/policy/concepts/assignment-structure#enforcement-mode"""
    assignment = prod.one("azure-native:authorization:PolicyAssignment").inputs
    assert assignment["enforcementMode"] == "Default"
    assert assignment["parameters"]["effect"]["value"] == "deny"


def test_the_controller_chart_creates_the_namespace_it_installs_into(dev):
    """A Helm release installs into an existing namespace unless it is told to create it
    (`helm install --create-namespace`, https://helm.sh/docs/helm/helm_install/); the stack declares only its
    apps' namespaces, so the release creates the controller's."""
    release = dev.one("kubernetes:helm.sh/v3:Release").inputs
    declared = {n.inputs["metadata"]["name"] for n in dev.of_type("kubernetes:core/v1:Namespace")}
    assert release["namespace"] not in declared
    assert release["createNamespace"] is True
