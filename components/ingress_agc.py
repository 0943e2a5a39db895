"""Application Gateway for Containers, bring-your-own: the traffic controller, its association with
the delegated subnet, a frontend per Gateway, and the ALB Controller's identity with its roles.

https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment
The controller itself is a Helm chart (`components.ingress_chart`); its pods act as this identity
through workload identity, federated with the cluster's OIDC issuer for their service account:
https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller-helm
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import managedidentity, servicenetworking

from aksnet.config.ingress_controllers import ALB_CONTROLLER, ALB_SERVICE_ACCOUNT
from aksnet.config.stack import Environment
from aksnet.plan.naming import azure_name, tags
from components.roles import assign_role, resource_group_id

# The ALB Controller's identity needs exactly these roles (same three in both quickstarts above):
# Reader on the cluster's node resource group, "AppGw for Containers Configuration Manager" on the
# resource group of the AGC resource, Network Contributor on the association's subnet (to join it).
ALB_CONTROLLER_ROLES = (("nodes", "Reader"), ("agc", "AppGw for Containers Configuration Manager"),
                        ("subnet", "Network Contributor"))

# Workload identity's token audience: https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


@dataclass(frozen=True)
class AppGatewayForContainersArgs:
    environment: Environment
    resource_group_name: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    """The subnet delegated to Microsoft.ServiceNetworking/trafficControllers."""
    frontends: Sequence[str]
    """One frontend per Gateway (`aksnet.plan.gateway_api.agc_frontend_name`)."""
    node_resource_group: pulumi.Input[str]
    oidc_issuer_url: pulumi.Input[str]
    waf_policy_id: str | None = None
    """A WAF policy to attach (preview: refused in production by aksnet/rules/ingress.py)."""


class AppGatewayForContainers(pulumi.ComponentResource):
    """The AGC resource with its association and frontends, and the ALB Controller's identity."""

    traffic_controller_id: pulumi.Output[str]
    """The AGC resource's id: a Gateway's `alb.networking.azure.io/alb-id`."""
    controller_client_id: pulumi.Output[str]
    """The client id the ALB Controller's chart takes (`albController.podIdentity.clientID`)."""
    frontend_fqdns: pulumi.Output[dict]
    """Frontend name to the FQDN Azure gives it (point the hosts' CNAMEs there)."""

    def __init__(self, name: str, args: AppGatewayForContainersArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:ingress:AppGatewayForContainers", name, None, opts)
        env = args.environment
        child = pulumi.ResourceOptions(parent=self)
        controller = servicenetworking.TrafficControllerInterface(
            f"{name}-agc", traffic_controller_name=azure_name(env, "agc", "ingress"),
            resource_group_name=args.resource_group_name, location=env.location, tags=tags(env), opts=child)
        association = servicenetworking.AssociationsInterface(
            f"{name}-association", association_name=azure_name(env, "agca", "ingress"),
            traffic_controller_name=controller.name, resource_group_name=args.resource_group_name,
            location=env.location, association_type=servicenetworking.AssociationType.SUBNETS,
            subnet=servicenetworking.AssociationSubnetArgs(id=args.subnet_id), tags=tags(env), opts=child)
        frontends = {
            frontend: servicenetworking.FrontendsInterface(
                f"{name}-{frontend}", frontend_name=frontend, traffic_controller_name=controller.name,
                resource_group_name=args.resource_group_name, location=env.location, tags=tags(env),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[association]))
            for frontend in args.frontends}

        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity", resource_name_=azure_name(env, "id", "alb-controller"),
            resource_group_name=args.resource_group_name, location=env.location, tags=tags(env), opts=child)
        managedidentity.FederatedIdentityCredential(
            f"{name}-federation", federated_identity_credential_resource_name="alb-controller",
            resource_name_=identity.name, resource_group_name=args.resource_group_name,
            issuer=args.oidc_issuer_url, audiences=[TOKEN_EXCHANGE_AUDIENCE],
            subject=f"system:serviceaccount:{ALB_CONTROLLER.controller_namespace}:{ALB_SERVICE_ACCOUNT}", opts=child)
        scopes = {"nodes": resource_group_id(args.node_resource_group),
                  "agc": resource_group_id(args.resource_group_name), "subnet": args.subnet_id}
        for scope, role in ALB_CONTROLLER_ROLES:
            assign_role(f"{name}-role-{scope}", role, scopes[scope], identity.principal_id, self)
        if args.waf_policy_id is not None:
            # The security policy scopes the WAF policies the controller may reference; the controller
            # joins the WAF policy (applicationgatewaywebapplicationfirewallpolicies/join/action, part
            # of Network Contributor). https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-waf-gateway-api
            servicenetworking.SecurityPoliciesInterface(
                f"{name}-waf", security_policy_name="waf", traffic_controller_name=controller.name,
                resource_group_name=args.resource_group_name, location=env.location, tags=tags(env),
                waf_policy=servicenetworking.WafPolicyArgs(id=args.waf_policy_id), opts=child)
            assign_role(f"{name}-role-waf", "Network Contributor", args.waf_policy_id, identity.principal_id, self)

        self.traffic_controller_id = controller.id
        self.controller_client_id = identity.client_id
        self.frontend_fqdns = pulumi.Output.all(**{k: f.fqdn for k, f in frontends.items()}).apply(dict) \
            if frontends else pulumi.Output.from_input({})
        self.register_outputs({"trafficControllerId": self.traffic_controller_id,
                               "controllerClientId": self.controller_client_id,
                               "frontendFqdns": self.frontend_fqdns})
