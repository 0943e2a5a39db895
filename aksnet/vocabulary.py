"""Words every layer shares, written once: names Azure, AKS and Kubernetes fix, and ours.

The lowest layer of the core: it imports nothing of the project. A constant used by two
modules lives here, never in both.
"""

from __future__ import annotations

NS = "aks-networking"
"""The config namespace, the Pulumi project's name."""

CONFIG_NAMESPACES = (NS, "azure-native", "kubernetes", "pulumi")
"""Namespaces a stack file's keys may use: ours and the providers' the program runs."""

# Subnets ----------------------------------------------------------------------------------

ROLE_SUBNETS = ("nodes", "pods", "appgw", "agc", "ilb", "apiserver", "endpoints")
"""Subnets named by their role; Azure sees them as `snet-<role>`."""

FIXED_SUBNETS = ("AzureFirewallSubnet", "AzureFirewallManagementSubnet", "AzureBastionSubnet", "GatewaySubnet")
"""Subnets Azure accepts only under their exact name (Pulumi's autonaming must not touch them)."""

NO_NSG_SUBNETS = ("AzureFirewallSubnet", "AzureFirewallManagementSubnet", "GatewaySubnet")
"""Subnets that refuse a network security group.
https://learn.microsoft.com/azure/firewall/firewall-faq, https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub"""

REGISTRY_PRIVATE_ZONE = "privatelink.azurecr.io"
KEY_VAULT_PRIVATE_ZONE = "privatelink.vaultcore.azure.net"
"""The private DNS zones Azure answers a registry's and a vault's private endpoints in.
https://learn.microsoft.com/azure/private-link/private-endpoint-dns"""

AZURE_RESERVED_FIRST = 4
"""Azure keeps the first four addresses of every subnet (network, gateway, two for DNS) ..."""
AZURE_RESERVED_LAST = 1
"""... and the last (broadcast): https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq"""
AZURE_RESERVED_PER_SUBNET = AZURE_RESERVED_FIRST + AZURE_RESERVED_LAST

# Kubernetes ---------------------------------------------------------------------------------

PLATFORM_NAMESPACES = (
    "kube-system", "kube-public", "kube-node-lease", "default",  # Kubernetes' own
    "app-routing-system",  # the application routing add-on (nginx): https://learn.microsoft.com/azure/aks/app-routing
    "gatekeeper-system",  # the Azure Policy add-on: https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes
    "calico-system", "tigera-operator",  # Calico network policy: https://learn.microsoft.com/azure/aks/use-network-policies
    "aks-istio-system", "aks-istio-ingress", "aks-istio-egress",  # https://learn.microsoft.com/azure/aks/istio-about
    "flux-system",  # the GitOps (Flux) extension: https://learn.microsoft.com/azure/azure-arc/kubernetes/conceptual-gitops-flux2
    "envoy-gateway-system", "azure-alb-system",  # Gateway API controllers: aksnet/config/ingress_controllers.py
)
"""Namespaces Kubernetes, AKS, its add-ons or the policy engines own: the stack never declares them,
and puts no app, Ingress or policy in them (a default deny in kube-system stops cluster DNS)."""

KUBERNETES_PROTOCOLS = ("TCP", "UDP", "SCTP")
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set by the API server on every namespace: what selects a namespace by name."""

# Names and labels as the Kubernetes API checks them:
# https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ (a Service's name is an
# RFC 1035 label: a letter first) and
# https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
DNS_1123_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
DNS_1035_LABEL = r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?"
LABEL_NAME = r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)"
LABEL_KEY = rf"(([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)/)?{LABEL_NAME}"
LABEL_VALUE = rf"{LABEL_NAME}?"
# A port's name is an IANA_SVC_NAME: at most 15 characters, a letter among them, no "--" (RFC 6335
# section 5.1; https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports).
PORT_NAME = r"(?=[a-z0-9-]*[a-z])(?![a-z0-9-]*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?"
FQDN = r"(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+"
"""A host name as Azure Firewall application rules take it, with an optional leading `*.`."""
FQDN_HINT = "a host name such as api.github.com or *.blob.core.windows.net"
PLATFORM_IMAGE = "platform://"
"""How an app names an image of the stack's own registry: `platform://shop/api:1.4.2`."""
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
"""RFC 1918: what is not the internet (https://www.rfc-editor.org/rfc/rfc1918)."""
SHARED_ADDRESS_SPACE = "100.64.0.0/10"
"""RFC 6598's range, which Azure routes privately like RFC 1918's (a default route to None in every subnet):
https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default"""
"""An IANA service name, as container ports and NetworkPolicies take it."""

INTERNAL_LB_ANNOTATION = "service.beta.kubernetes.io/azure-load-balancer-internal"
INTERNAL_LB_SUBNET_ANNOTATION = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"
LB_IPV4_ANNOTATION = "service.beta.kubernetes.io/azure-load-balancer-ipv4"
"""Internal load balancer Services: https://learn.microsoft.com/azure/aks/internal-lb"""

AGIC_INGRESS_CLASS = "azure-application-gateway"
AGIC_SSL_CERTIFICATE = "appgw.ingress.kubernetes.io/appgw-ssl-certificate"
AGIC_SSL_REDIRECT = "appgw.ingress.kubernetes.io/ssl-redirect"
APP_ROUTING_INGRESS_CLASS = "webapprouting.kubernetes.azure.com"
APP_ROUTING_NAMESPACE = "app-routing-system"
"""The nginx ingress controller is the AKS application routing add-on: https://learn.microsoft.com/azure/aks/app-routing"""

# Resource types, as the engine and a CrossGuard policy see them ------------------------------

CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
SUBNET = "azure-native:network:Subnet"
FIREWALL = "azure-native:network:AzureFirewall"
FIREWALL_POLICY = "azure-native:network:FirewallPolicy"
APP_GATEWAY = "azure-native:network:ApplicationGateway"
WAF_POLICY = "azure-native:network:WebApplicationFirewallPolicy"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
SERVICE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"

# Enforcement ----------------------------------------------------------------------------------

LEVELS = ("mandatory", "advisory", "disabled")
"""A rule's enforcement for a kind of environment, in CrossGuard's words."""
